package io.sightline.commerce;

import java.util.Locale;

/**
 * What a photo is for, as the intent gate sees it (seed claims 1-2): not a product at all, a
 * garment photo (searched region by region), or another product (searched as a whole).
 */
public enum Intent {
  /** Not a product: no feature extraction, no search. */
  NON_COMMODITY("non-commodity"),
  /** Clothing, shoes, accessories: every garment region is searched on its own. */
  APPAREL("apparel"),
  /** Any other product: the whole image is searched. */
  OTHER_COMMODITY("other-commodity");

  private final String label;

  Intent(String label) {
    this.label = label;
  }

  /** @return the label used in files, models and JSON ("non-commodity", "apparel", "other-commodity") */
  public String label() {
    return label;
  }

  /** @return whether a product search runs for this intent */
  public boolean isCommodity() {
    return this != NON_COMMODITY;
  }

  /**
   * @param text a label ("apparel", "other-commodity", "non-commodity"; case and '_' versus '-'
   *     are ignored)
   * @return the intent
   * @throws IllegalArgumentException when the text names no intent
   */
  public static Intent parse(String text) {
    if (text != null) {
      String t = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
      for (Intent i : values()) {
        if (i.label.equals(t)) {
          return i;
        }
      }
    }
    throw new IllegalArgumentException("unknown intent '" + text
        + "' (expected non-commodity, apparel or other-commodity)");
  }

  /**
   * @param category a catalog category such as {@code apparel/shoes} or {@code beverage}
   * @return {@link #APPAREL} when the category is {@code apparel} or starts with {@code apparel/},
   *     else {@link #OTHER_COMMODITY}
   */
  public static Intent ofCategory(String category) {
    String c = category.trim().toLowerCase(Locale.ROOT);
    return c.equals("apparel") || c.startsWith("apparel/") ? APPAREL : OTHER_COMMODITY;
  }

  @Override
  public String toString() {
    return label;
  }
}
