package io.deskrun.server.gateway;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The request parameters of one API call, merged from the query and the form body, with typed
 * accessors that raise the API error for a missing or malformed value. An empty value counts as
 * absent, as the SDKs send empty optional parameters.
 */
public final class Parameters {
  /** The integer syntax the API accepts. Long.parseLong alone also accepts '+' and other digits. */
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");

  private final Map<String, String> values;

  public Parameters(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /** Returns every parameter, sorted by name. */
  public Map<String, String> asMap() {
    return values;
  }

  /** Returns the value when present and non-empty. */
  public Optional<String> optional(String name) {
    String value = values.get(name);
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** Returns the non-empty value or raises {@code MissingParameter}. */
  public String required(String name) {
    return optional(name).orElseThrow(() -> ApiException.missingParameter(name));
  }

  /**
   * Parses an optional integer in {@code [min, max]}, written as ASCII digits with an optional
   * leading minus sign and nothing around them: no spaces, control characters or plus sign. Any
   * other value is {@code InvalidParameter.<name>}.
   */
  public Optional<Long> optionalLong(String name, long min, long max) {
    Optional<String> text = optional(name);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    if (!INTEGER.matcher(text.get()).matches()) {
      throw outOfRange(name, text.get(), min, max);
    }
    long value;
    try {
      value = Long.parseLong(text.get());
    } catch (NumberFormatException e) {
      throw outOfRange(name, text.get(), min, max);
    }
    if (value < min || value > max) {
      throw outOfRange(name, text.get(), min, max);
    }
    return Optional.of(value);
  }

  /** Parses an optional {@code true}/{@code false}, case-insensitively. */
  public Optional<Boolean> optionalBoolean(String name) {
    Optional<String> text = optional(name);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return switch (text.get().toLowerCase(Locale.ROOT)) {
      case "true" -> Optional.of(true);
      case "false" -> Optional.of(false);
      default ->
          throw ApiException.invalidParameter(
              name, name + " must be true or false, got \"" + text.get() + "\".");
    };
  }

  /**
   * Collects a repeated parameter sent as {@code name.1}, {@code name.2}, ... in index order. An
   * index outside {@code 1..maxCount}, a malformed index or an empty item is {@code
   * InvalidParameter.<name>}. Gaps in the numbering are allowed.
   */
  public List<String> list(String name, int maxCount) {
    String prefix = name + ".";
    TreeMap<Integer, String> byIndex = new TreeMap<>();
    for (Map.Entry<String, String> entry : values.entrySet()) {
      if (!entry.getKey().startsWith(prefix)) {
        continue;
      }
      String indexText = entry.getKey().substring(prefix.length());
      int index = parseIndex(name, indexText, maxCount);
      if (entry.getValue().isEmpty()) {
        throw ApiException.invalidParameter(
            name, name + "." + indexText + " is empty; each " + name + " must be a non-empty id.");
      }
      byIndex.put(index, entry.getValue());
    }
    return new ArrayList<>(byIndex.values());
  }

  private static int parseIndex(String name, String indexText, int maxCount) {
    int index = -1;
    if (!indexText.isEmpty()
        && indexText.length() <= 9
        && indexText.chars().allMatch(Character::isDigit)) {
      index = Integer.parseInt(indexText);
    }
    if (index < 1 || index > maxCount) {
      throw ApiException.invalidParameter(
          name,
          name
              + "."
              + indexText
              + " has an invalid index; the index must be an integer from 1 to "
              + maxCount
              + ".");
    }
    return index;
  }

  private static ApiException outOfRange(String name, String text, long min, long max) {
    return ApiException.invalidParameter(
        name,
        name
            + " must be an integer from "
            + min
            + " to "
            + max
            + " in ASCII digits with nothing around them, got \""
            + text
            + "\".");
  }
}
