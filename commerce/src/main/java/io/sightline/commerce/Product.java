package io.sightline.commerce;

import java.util.HashMap;
import java.util.Map;

/**
 * A product stored in a {@link ProductCatalog}.
 *
 * @param id product id
 * @param image the image path as given in the catalog (resolved, absolute)
 * @param category image category
 * @param title display title
 * @param link product page
 * @param attributes the product's attributes (the extra columns of its catalog row, e.g.
 *     {@code price}, {@code brand}); empty when none
 */
public record Product(String id, String image, String category, String title, String link,
    Map<String, String> attributes) {
  /** Copies the map. */
  public Product {
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /**
   * A product without attributes.
   *
   * @param id product id
   * @param image image path
   * @param category category
   * @param title title
   * @param link link
   */
  public Product(String id, String image, String category, String title, String link) {
    this(id, image, category, title, link, Map.of());
  }

  /** @return the index the product lives in */
  public Intent segment() {
    return Intent.ofCategory(category);
  }

  /** @return the attributes plus the category under {@value ProductFilter#CATEGORY}, as filters see them */
  public Map<String, String> attributesWithCategory() {
    Map<String, String> m = new HashMap<>(attributes);
    m.put(ProductFilter.CATEGORY, category);
    return m;
  }
}
