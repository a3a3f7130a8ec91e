package dev.gatewaywar.standalone;

import dev.gatewaywar.api.ErrorResponses;
import dev.gatewaywar.api.GatewayError;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * The embedded Tomcat's answer to the requests it refuses itself, before any webapp sees them (a
 * header over the size limit, a byte not allowed in the request target, a malformed method or
 * header line, an HTTP version it does not speak): the gateway's JSON {@code {"error": "..."}} with
 * the container's status, in place of Tomcat's HTML page, which quotes the exception with its stack
 * trace and names the Tomcat version. Installed on the Host, as Tomcat's own report valve is.
 */
final class ContainerErrorValve extends ErrorReportValve {
  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    // as ErrorReportValve: only an error status, nothing written yet, reported once
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    AtomicBoolean ioAllowed = new AtomicBoolean();
    response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
    if (!ioAllowed.get()) {
      return;
    }
    byte[] body = ErrorResponses.prepare(response, GatewayError.forStatus(status), Map.of());
    if (body == null) {
      return;
    }
    response.setStatus(status);
    try {
      response.getOutputStream().write(body);
      response.finishResponse();
    } catch (IOException | IllegalStateException e) {
      // the client is gone or the response closed: nothing left to tell it
    }
  }
}
