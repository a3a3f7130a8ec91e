package dev.gatewaywar.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Flat JSON objects read with Jackson's streaming parser (strings, numbers, booleans, null). */
public final class JsonObjects {
  private static final JsonFactory JSON = new JsonFactory();

  private JsonObjects() {}

  /** The access-log entries among the lines of {@code output} (a capture of standard output). */
  public static List<Map<String, Object>> accessLines(String output) throws IOException {
    List<Map<String, Object>> lines = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.startsWith("{")) {
        Map<String, Object> entry = parse(line);
        if ("access".equals(entry.get("log"))) {
          lines.add(entry);
        }
      }
    }
    return lines;
  }

  /**
   * The fields of the one JSON object {@code text} holds; numbers as {@link Number}.
   *
   * @throws IOException when it is not exactly one flat JSON object
   */
  public static Map<String, Object> parse(String text) throws IOException {
    Map<String, Object> fields = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object: " + text);
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        Object value =
            switch (v) {
              case VALUE_STRING -> p.getText();
              case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
              case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
              case VALUE_NULL -> null;
              default -> throw new IOException("nested value for " + name + " in " + text);
            };
        if (fields.containsKey(name)) {
          throw new IOException("duplicate key " + name + " in " + text);
        }
        fields.put(name, value);
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new IOException("trailing content after the object: " + text);
      }
    }
    return fields;
  }
}
