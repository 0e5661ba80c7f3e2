package io.sightline.commerce;

/**
 * A product stored in a {@link ProductCatalog}.
 *
 * @param id product id
 * @param image the image path as given in the catalog (resolved, absolute)
 * @param category image category
 * @param title display title
 * @param link product page
 */
public record Product(String id, String image, String category, String title, String link) {
  /** @return the index the product lives in */
  public Intent segment() {
    return Intent.ofCategory(category);
  }
}
