package io.sightline.commerce;

import io.sightline.core.index.SearchFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A condition on a product's attributes (the extra columns of {@code catalog.csv}, such as
 * {@code price}, {@code brand}, {@code size}, {@code colour}, {@code in_stock}) and its category,
 * applied inside the vector index search (core {@link SearchFilter}), so a filtered search still
 * returns up to the requested number of products that pass. Immutable and thread-safe.
 *
 * <pre>{@code
 * ProductFilter f = ProductFilter.equalTo("brand", "acme").and(ProductFilter.atMost("price", 20));
 * ProductFilter g = ProductFilter.parse("in_stock=true");   // the CLI's --where syntax
 * }</pre>
 *
 * <p>Text comparisons are exact (case-sensitive); numeric ones parse the attribute as a decimal
 * number, and a product whose attribute is missing or not a number fails them.
 */
public final class ProductFilter {
  /** The attribute name under which the catalog stores a product's category. */
  public static final String CATEGORY = "category";
  private static final Pattern EXPR = Pattern.compile("\\s*([\\p{L}\\p{N}_.-]+)\\s*(<=|>=|!=|=|<|>)\\s*(.*?)\\s*");

  private final List<Condition> conditions;
  private final String text;

  private record Condition(String key, String op, String value, double number) {}

  private ProductFilter(List<Condition> conditions, String text) {
    this.conditions = List.copyOf(conditions);
    this.text = text;
  }

  /**
   * @param key attribute name
   * @param value required value
   * @return products whose attribute equals {@code value}
   */
  public static ProductFilter equalTo(String key, String value) {
    return of(key, "=", value);
  }

  /**
   * @param key attribute name
   * @param value excluded value
   * @return products whose attribute is missing or differs from {@code value}
   */
  public static ProductFilter notEqualTo(String key, String value) {
    return of(key, "!=", value);
  }

  /**
   * @param key attribute name (numeric)
   * @param max largest value kept
   * @return products whose attribute is a number &le; {@code max}
   */
  public static ProductFilter atMost(String key, double max) {
    return of(key, "<=", num(max));
  }

  /**
   * @param key attribute name (numeric)
   * @param min smallest value kept
   * @return products whose attribute is a number &ge; {@code min}
   */
  public static ProductFilter atLeast(String key, double min) {
    return of(key, ">=", num(min));
  }

  /**
   * @param prefix a category or a category path prefix ({@code apparel} keeps {@code apparel/shoes})
   * @return products of that category or below it
   */
  public static ProductFilter category(String prefix) {
    return of(CATEGORY, "^", Objects.requireNonNull(prefix, "prefix"));
  }

  /**
   * Parses one condition: {@code key=value}, {@code key!=value}, {@code key<=n}, {@code key>=n},
   * {@code key<n} or {@code key>n}; the key is letters, digits, {@code _ . -}.
   *
   * @param expression the condition
   * @return the filter
   * @throws InvalidQueryException when the expression is malformed or a comparison's value is
   *     not a number
   */
  public static ProductFilter parse(String expression) {
    Matcher m = EXPR.matcher(expression == null ? "" : expression);
    if (!m.matches()) {
      throw new InvalidQueryException("malformed attribute filter '" + expression
          + "': expected KEY=VALUE, KEY!=VALUE, KEY<=N, KEY>=N, KEY<N or KEY>N");
    }
    return of(m.group(1), m.group(2), m.group(3));
  }

  private static ProductFilter of(String key, String op, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (key.isBlank()) {
      throw new InvalidQueryException("attribute filter: the attribute name is empty");
    }
    double number = Double.NaN;
    if (op.startsWith("<") || op.startsWith(">")) {
      try {
        number = Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new InvalidQueryException("attribute filter " + key + op + value + ": '" + value + "' is not a number");
      }
      if (!Double.isFinite(number)) {
        throw new InvalidQueryException("attribute filter " + key + op + value + ": the bound must be finite");
      }
    }
    String text = op.equals("^") ? key + " under '" + value + "'" : key + op + value;
    return new ProductFilter(List.of(new Condition(key, op, value, number)), text);
  }

  private static String num(double v) {
    if (!Double.isFinite(v)) {
      throw new InvalidQueryException("attribute filter: the bound must be finite, not " + v);
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /**
   * @param other a second filter
   * @return products that pass both
   */
  public ProductFilter and(ProductFilter other) {
    List<Condition> all = new ArrayList<>(conditions);
    all.addAll(other.conditions);
    return new ProductFilter(all, text + " and " + other.text);
  }

  /**
   * @param attributes a product's attributes, its category under {@value #CATEGORY}
   * @return whether the product passes every condition
   */
  public boolean test(Map<String, String> attributes) {
    for (Condition c : conditions) {
      if (!test(c, attributes.get(c.key()))) {
        return false;
      }
    }
    return true;
  }

  private static boolean test(Condition c, String v) {
    switch (c.op()) {
      case "=":
        return c.value().equals(v);
      case "!=":
        return !c.value().equals(v);
      case "^":
        if (v == null) {
          return false;
        }
        String a = v.toLowerCase(Locale.ROOT);
        String p = c.value().toLowerCase(Locale.ROOT);
        return a.equals(p) || a.startsWith(p + "/");
      default:
        if (v == null) {
          return false;
        }
        double x;
        try {
          x = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
          return false;
        }
        return switch (c.op()) {
          case "<=" -> x <= c.number();
          case ">=" -> x >= c.number();
          case "<" -> x < c.number();
          default -> x > c.number();
        };
    }
  }

  /** @return the same condition as a core index filter over product ids */
  public SearchFilter<String> toSearchFilter() {
    return (id, attributes) -> test(attributes);
  }

  /** @return the conditions, e.g. {@code "brand=acme and price<=20"} */
  @Override
  public String toString() {
    return text;
  }
}
