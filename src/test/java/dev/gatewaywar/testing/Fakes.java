package dev.gatewaywar.testing;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hand-written servlet fakes for unit tests. Each supports only what the code under test needs; any
 * other method throws {@link UnsupportedOperationException}, so a test fails loudly when the code
 * starts to depend on something the fake does not model.
 */
public final class Fakes {
  private Fakes() {}

  /** A request that only stores attributes. */
  public static HttpServletRequest request() {
    Map<String, Object> attributes = new HashMap<>();
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            Fakes.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getAttribute" -> attributes.get((String) args[0]);
                  case "setAttribute" -> attributes.put((String) args[0], args[1]);
                  case "removeAttribute" -> attributes.remove((String) args[0]);
                  case "toString" -> "FakeRequest" + attributes;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  /** A response that records status, headers and body; {@link #commit()} makes it committed. */
  public static final class Response {
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private int status = 200;
    private String contentType;
    private long contentLength = -1;
    private boolean committed;
    private int resets;
    private final HttpServletResponse proxy =
        (HttpServletResponse)
            Proxy.newProxyInstance(
                Fakes.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class},
                (p, method, args) -> {
                  switch (method.getName()) {
                    case "isCommitted" -> {
                      return committed;
                    }
                    case "resetBuffer" -> {
                      if (committed) {
                        throw new IllegalStateException("committed");
                      }
                      resets++;
                      body.reset();
                      return null;
                    }
                    case "setStatus" -> {
                      status = (Integer) args[0];
                      return null;
                    }
                    case "setHeader" -> {
                      headers.put((String) args[0], (String) args[1]);
                      return null;
                    }
                    case "setContentType" -> {
                      contentType = (String) args[0];
                      return null;
                    }
                    case "setContentLength" -> {
                      contentLength = (Integer) args[0];
                      return null;
                    }
                    case "setContentLengthLong" -> {
                      contentLength = (Long) args[0];
                      return null;
                    }
                    case "getOutputStream" -> {
                      return outputStream();
                    }
                    case "toString" -> {
                      return "FakeResponse[" + status + "]";
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                  }
                });

    public HttpServletResponse asServletResponse() {
      return proxy;
    }

    /** Marks the response as committed, as if its head had been sent. */
    public void commit() {
      committed = true;
    }

    public int status() {
      return status;
    }

    public Map<String, String> headers() {
      return headers;
    }

    public String contentType() {
      return contentType;
    }

    public long contentLength() {
      return contentLength;
    }

    public int resets() {
      return resets;
    }

    public String bodyText() {
      return body.toString(StandardCharsets.UTF_8);
    }

    private ServletOutputStream outputStream() {
      return new ServletOutputStream() {
        @Override
        public void write(int b) {
          body.write(b);
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
          throw new UnsupportedOperationException("setWriteListener");
        }
      };
    }
  }
}
