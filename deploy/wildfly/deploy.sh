#!/bin/sh
# Deploys gateway.war into a running WildFly (27+) through its management interface, with
# deploy-gateway.cli: sets the system property gateway.config, then deploys (or redeploys).
#
#   JBOSS_HOME=/opt/wildfly deploy/wildfly/deploy.sh target/gateway.war /etc/gateway.yaml [NAME]
#
# NAME is the deployment name: ROOT.war (the default) serves the routes at /, gateway.war (or any
# x.war) under /gateway (/x). Environment: JBOSS_HOME (required: where bin/jboss-cli.sh is),
# WILDFLY_CONTROLLER (default: jboss-cli's own, localhost:9990), WILDFLY_CLI_OPTS (more jboss-cli
# arguments, e.g. --user=admin; run as the server's user on its machine, none are needed).
# Exit status: jboss-cli's (non-zero when the webapp did not start; the reason is printed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)

usage() {
  echo "usage: JBOSS_HOME=/path/to/wildfly $0 WAR CONFIG [NAME.war]" >&2
  exit 2
}
[ $# -ge 2 ] && [ $# -le 3 ] || usage
: "${JBOSS_HOME:?set JBOSS_HOME to the WildFly installation}"

absolute() { # the file's absolute path: the server resolves paths from its own directory
  [ -f "$1" ] || { echo "$0: no such file: $1" >&2; exit 2; }
  printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")"
}
war=$(absolute "$1")
config=$(absolute "$2")
name=${3:-ROOT.war}
case "$name" in
  */* | *' '* | .war | *[!A-Za-z0-9._-]*) echo "$0: bad deployment name: $name" >&2; exit 2 ;;
  *.war) ;;
  *) echo "$0: the deployment name must end in .war: $name" >&2; exit 2 ;;
esac
case "$war$config" in
  *[[:space:]]* | *'"'*) echo "$0: paths with whitespace or quotes are not supported" >&2; exit 2 ;;
esac

# shellcheck disable=SC2086 # WILDFLY_CLI_OPTS holds several arguments
exec "$JBOSS_HOME/bin/jboss-cli.sh" --connect ${WILDFLY_CONTROLLER:+--controller="$WILDFLY_CONTROLLER"} \
  ${WILDFLY_CLI_OPTS:-} --resolve-parameter-values --file="$here/deploy-gateway.cli" \
  -Dgateway.war="$war" -Dgateway.name="$name" -Dgateway.config="$config"
