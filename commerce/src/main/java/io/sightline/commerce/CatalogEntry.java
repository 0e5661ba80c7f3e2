package io.sightline.commerce;

import java.nio.file.Path;
import java.util.List;
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
 * @param additionalImages more images of the same product (other views, colours, a worn shot; the
 *     {@code additional_images} column of {@code catalog.csv}, paths separated by {@code |}); each
 *     is embedded and searched too, and a hit on any of them finds the product. At most
 *     {@link #MAX_ADDITIONAL_IMAGES}
 */
public record CatalogEntry(String id, Path image, String category, String title, String link, long line,
    Map<String, String> attributes, List<Path> additionalImages) {
  /** The most additional images a product may have. */
  public static final int MAX_ADDITIONAL_IMAGES = 20;

  /** Validates fields; empty title and link become "". */
  public CatalogEntry {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(category, "category");
    title = title == null ? "" : title;
    link = link == null ? "" : link;
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    additionalImages = additionalImages == null ? List.of() : List.copyOf(additionalImages);
  }

  /**
   * A product with one image.
   *
   * @param id unique product id
   * @param image the product image file
   * @param category image category
   * @param title display title
   * @param link product page
   * @param line 1-based line in the catalog file, 0 for API input
   * @param attributes further attributes
   */
  public CatalogEntry(String id, Path image, String category, String title, String link, long line,
      Map<String, String> attributes) {
    this(id, image, category, title, link, line, attributes, List.of());
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
