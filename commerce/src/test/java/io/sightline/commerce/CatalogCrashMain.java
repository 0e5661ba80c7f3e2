package io.sightline.commerce;

import io.sightline.core.ProgressListener;
import java.nio.file.Path;
import java.util.List;

/**
 * Child process of {@link CatalogWriteProtocolTest}: applies an update to a catalog and halts the
 * JVM (as {@code kill -9} would: no shutdown hooks, no finally blocks) when the write reaches the
 * named step. Arguments: catalog folder, step name, {@code update}, {@code reembed} or {@code remove},
 * and optionally {@code lucene} to keep the segments on Lucene indexes.
 */
public final class CatalogCrashMain {
  private CatalogCrashMain() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    String stopAt = args[1];
    CatalogWriter.step = name -> {
      if (name.equals(stopAt)) {
        Runtime.getRuntime().halt(137);
      }
    };
    boolean lucene = args.length > 3 && args[3].equals("lucene");
    try (ProductCatalog cat = lucene ? CatalogWriteProtocolTest.openOnLucene(dir) : CatalogWriteProtocolTest.open(dir)) {
      if (!args[2].equals("remove")) {
        List<CatalogEntry> entries = args[2].equals("update") ? CatalogWriteProtocolTest.update()
            : CatalogWriteProtocolTest.reembed();
        cat.indexVectors(entries, CatalogWriteProtocolTest.vectors(entries, 2, cat), ProgressListener.NONE);
      } else {
        cat.remove(CatalogWriteProtocolTest.REMOVED);
      }
    }
    System.out.println("done");
  }
}
