#!/bin/sh
# Undeploys a gateway deployed with deploy.sh (undeploy-gateway.cli).
#
#   JBOSS_HOME=/opt/wildfly deploy/wildfly/undeploy.sh [NAME]     (NAME: ROOT.war by default)
#
# Same environment as deploy.sh. The system property gateway.config stays in the server.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -le 1 ] || { echo "usage: JBOSS_HOME=/path/to/wildfly $0 [NAME.war]" >&2; exit 2; }
: "${JBOSS_HOME:?set JBOSS_HOME to the WildFly installation}"
name=${1:-ROOT.war}
case "$name" in
  */* | .war | *[!A-Za-z0-9._-]*) echo "$0: bad deployment name: $name" >&2; exit 2 ;;
  *.war) ;;
  *) echo "$0: the deployment name must end in .war: $name" >&2; exit 2 ;;
esac

# shellcheck disable=SC2086 # WILDFLY_CLI_OPTS holds several arguments
exec "$JBOSS_HOME/bin/jboss-cli.sh" --connect ${WILDFLY_CONTROLLER:+--controller="$WILDFLY_CONTROLLER"} \
  ${WILDFLY_CLI_OPTS:-} --resolve-parameter-values --file="$here/undeploy-gateway.cli" \
  -Dgateway.name="$name"
