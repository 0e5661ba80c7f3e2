package io.sightline.commerce;

/** Opens package-private searcher variants to the evaluation (another package). */
public final class SearcherVariants {
  private SearcherVariants() {}

  /**
   * @param b a searcher builder
   * @return it, set to match each proposed region's crop in the instance index instead of the whole photo
   */
  public static ProductSearcher.Builder regionCrops(ProductSearcher.Builder b) {
    return b.instanceQueryRegions(true);
  }

  /**
   * @param b a searcher builder
   * @return it, set to crop other-commodity queries to the union of the detected regions (the old main-object crop)
   */
  public static ProductSearcher.Builder mainObjectUnion(ProductSearcher.Builder b) {
    return b.mainObjectUnion(true);
  }
}
