package io.sightline.commerce;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import java.nio.file.Path;
import java.util.List;

/**
 * Child process of {@link CatalogReadersSideBySideTest}: {@code index DIR N} opens the catalog for
 * writing, prints "ready", indexes N products (one per call, images written beside the catalog),
 * then prints "done".
 */
public final class CatalogSideBySideMain {
  private CatalogSideBySideMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).open()) {
      System.out.println("ready");
      System.out.flush();
      for (int i = 0; i < n; i++) {
        Path img = Fixtures.write(Fixtures.product(100 + i), dir.resolve("img/extra-" + i + ".png"));
        cat.index(List.of(new CatalogEntry("extra-" + i, img, "cup", "Extra " + i, "")), ProgressListener.NONE,
            CancellationToken.NONE);
      }
    }
    System.out.println("done");
  }
}
