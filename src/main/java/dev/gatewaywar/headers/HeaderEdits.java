package dev.gatewaywar.headers;

import java.util.ArrayList;
import java.util.List;

/**
 * The changes to one direction's headers: {@code set} replaces every value of a name, {@code add}
 * adds a value after those already there, {@code remove} drops every value. Names are matched
 * without regard to case; a name is in {@code remove} or in {@code set}/{@code add}, never both.
 *
 * @param set names with the value that replaces theirs
 * @param add names with the value added to theirs
 * @param remove names dropped
 */
public record HeaderEdits(List<Header> set, List<Header> add, List<String> remove) {
  public static final HeaderEdits NONE = new HeaderEdits(List.of(), List.of(), List.of());

  /** One header: its name as written and its value. */
  public record Header(String name, HeaderTemplate value) {}

  public HeaderEdits {
    set = List.copyOf(set);
    add = List.copyOf(add);
    remove = List.copyOf(remove);
  }

  /** Every template, for checks over all of them. */
  List<HeaderTemplate> templates() {
    List<HeaderTemplate> all = new ArrayList<>();
    set.forEach(h -> all.add(h.value()));
    add.forEach(h -> all.add(h.value()));
    return all;
  }

  /** The names of {@code set}, then {@code add}, then {@code remove}: every name touched. */
  String[] touched() {
    List<String> names = new ArrayList<>();
    set.forEach(h -> names.add(h.name()));
    add.forEach(h -> names.add(h.name()));
    names.addAll(remove);
    return names.toArray(String[]::new);
  }
}
