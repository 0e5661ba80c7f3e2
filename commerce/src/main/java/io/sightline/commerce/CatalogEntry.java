package io.sightline.commerce;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * One product to index: a row of {@code catalog.csv} ({@code id,image,category,title,link}).
 *
 * @param id unique product id
 * @param image the product image file
 * @param category the product's image category; {@code apparel} or {@code apparel/...} marks a
 *     garment (indexed for per-region apparel search), anything else is an other commodity
 * @param title display title (may be empty)
 * @param link product page (may be empty)
 * @param line 1-based line in the catalog file, 0 for API input
 * @param attributes further attributes (the extra columns of {@code catalog.csv}: price, brand,
 *     size, colour, in stock, ...), which attribute filters ({@link ProductFilter}) test; empty
 *     values are left out
 */
public record CatalogEntry(String id, Path image, String category, String title, String link, long line,
    Map<String, String> attributes) {
  /** Validates fields; empty title and link become "". */
  public CatalogEntry {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(category, "category");
    title = title == null ? "" : title;
    link = link == null ? "" : link;
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /**
   * @param id unique product id
   * @param image the product image file
   * @param category image category
   * @param title display title
   * @param link product page
   * @param line 1-based line in the catalog file, 0 for API input
   */
  public CatalogEntry(String id, Path image, String category, String title, String link, long line) {
    this(id, image, category, title, link, line, Map.of());
  }

  /**
   * @param id unique product id
   * @param image the product image file
   * @param category image category
   * @param title display title
   * @param link product page
   */
  public CatalogEntry(String id, Path image, String category, String title, String link) {
    this(id, image, category, title, link, 0, Map.of());
  }

  /** @return which index the product goes to ({@link Intent#APPAREL} or {@link Intent#OTHER_COMMODITY}) */
  public Intent segment() {
    return Intent.ofCategory(category);
  }
}
