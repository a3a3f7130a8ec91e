#!/bin/sh
# gateway.war on Apache Tomcat: copy to $CATALINA_BASE/bin/setenv.sh (catalina.sh sources it on
# every start). POSIX sh; sourcing it twice adds nothing twice.
#
#   GATEWAY_CONFIG       the gateway's YAML (default: $CATALINA_BASE/conf/gateway.yaml),
#                        passed as -Dgateway.config so it shows in Tomcat's start-up log. Set it
#                        empty (GATEWAY_CONFIG=) for no property at all: then each webapp reads
#                        its context's gateway.config parameter (parallel deployment, see README)
#   OTEL_JAVAAGENT_JAR   the OpenTelemetry Java agent (default:
#                        $CATALINA_BASE/otel/opentelemetry-javaagent.jar; not lib/, where every
#                        jar joins Tomcat's common class path); attached when the file exists, so
#                        the agent exports the gateway's spans along with Tomcat's own
#   OTEL_SERVICE_NAME    the service name the agent reports (default: gateway)
#   GATEWAY_JVM_OPTS     JVM flags (default below: heap as a share of the container's memory,
#                        exit on OutOfMemoryError so a supervisor restarts a clean JVM)
#
# Only CATALINA_OPTS is touched: it applies to `catalina.sh start|run`, not to `catalina.sh stop`,
# which must neither attach the agent nor take the server's heap.

: "${CATALINA_BASE:=$CATALINA_HOME}"

GATEWAY_CONFIG="${GATEWAY_CONFIG-$CATALINA_BASE/conf/gateway.yaml}"
if [ -n "$GATEWAY_CONFIG" ]; then
  case " $CATALINA_OPTS " in
    *" -Dgateway.config="*) ;;
    *) CATALINA_OPTS="$CATALINA_OPTS -Dgateway.config=$GATEWAY_CONFIG" ;;
  esac
fi

GATEWAY_JVM_OPTS="${GATEWAY_JVM_OPTS--XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError}"
for opt in $GATEWAY_JVM_OPTS; do
  case " $CATALINA_OPTS " in
    *" $opt "*) ;;
    *) CATALINA_OPTS="$CATALINA_OPTS $opt" ;;
  esac
done

OTEL_JAVAAGENT_JAR="${OTEL_JAVAAGENT_JAR:-$CATALINA_BASE/otel/opentelemetry-javaagent.jar}"
if [ -f "$OTEL_JAVAAGENT_JAR" ]; then
  case " $CATALINA_OPTS " in
    *" -javaagent:"*) ;;
    *) CATALINA_OPTS="$CATALINA_OPTS -javaagent:$OTEL_JAVAAGENT_JAR" ;;
  esac
  OTEL_SERVICE_NAME="${OTEL_SERVICE_NAME:-gateway}"
  export OTEL_SERVICE_NAME
fi

export CATALINA_OPTS
