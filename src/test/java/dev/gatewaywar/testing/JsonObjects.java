package dev.gatewaywar.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON read with Jackson's streaming parser: flat objects, or whole documents as plain values. */
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

  /**
   * Any JSON document as plain Java values: objects as ordered maps, arrays as lists, numbers as
   * {@link Number}, and strings, booleans and null as themselves.
   */
  public static Object parseTree(String text) throws IOException {
    try (JsonParser p = JSON.createParser(text)) {
      Object value = value(p, p.nextToken());
      if (p.nextToken() != null) {
        throw new IOException("trailing content after the document: " + text);
      }
      return value;
    }
  }

  private static Object value(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case START_OBJECT -> {
        Map<String, Object> fields = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          if (fields.put(name, value(p, p.nextToken())) != null) {
            throw new IOException("duplicate key " + name);
          }
        }
        yield fields;
      }
      case START_ARRAY -> {
        List<Object> items = new ArrayList<>();
        JsonToken next;
        while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
          items.add(value(p, next));
        }
        yield items;
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
      case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
      case VALUE_NULL -> null;
      default -> throw new IOException("unexpected " + t);
    };
  }
}
