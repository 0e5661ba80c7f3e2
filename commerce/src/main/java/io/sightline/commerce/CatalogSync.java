package io.sightline.commerce;

import io.sightline.core.CancellationToken;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * "Make the catalog hold exactly this file": the sync job of {@link ProductCatalog}, apart from
 * its storage code. Package-private.
 */
final class CatalogSync {
  /** A stored product and the SHA-256 of its image file when indexed (null when unknown). */
  record Stored(Product product, String imageHash) {}

  private CatalogSync() {}

  static SyncReport sync(ProductCatalog catalog, CatalogCsv.Parsed parsed, ProgressListener listener,
      CancellationToken token) {
    Map<String, Stored> stored = catalog.stored();
    List<CatalogEntry> changed = new ArrayList<>();
    List<String> added = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    int unchanged = 0;
    Set<String> seen = new HashSet<>();
    for (CatalogEntry e : parsed.entries()) {
      if (!seen.add(e.id())) {
        changed.add(e); // the indexing run reports the duplicate by line
        continue;
      }
      Stored s = stored.get(e.id());
      if (s != null && same(s, e)) {
        unchanged++;
      } else {
        changed.add(e);
      }
    }
    IndexReport report = catalog.index(changed, new ArrayList<>(parsed.problems()), listener, token);
    Set<String> failed = new HashSet<>();
    report.problems().forEach(p -> failed.add(p.id()));
    Set<String> counted = new HashSet<>();
    for (CatalogEntry e : changed) {
      if (!failed.contains(e.id()) && counted.add(e.id())) {
        (stored.containsKey(e.id()) ? updated : added).add(e.id());
      }
    }
    List<String> gone = new ArrayList<>();
    for (String id : stored.keySet()) {
      if (!parsed.ids().contains(id)) {
        gone.add(id);
      }
    }
    gone.sort(null);
    List<String> removed = gone.isEmpty() ? List.of() : catalog.remove(gone);
    return new SyncReport(added, updated, unchanged, removed, report.problems(), report, catalog.size());
  }

  private static boolean same(Stored s, CatalogEntry e) {
    Product p = s.product();
    if (!p.image().equals(e.image().toAbsolutePath().toString()) || !p.category().equals(e.category().trim())
        || !p.title().equals(e.title()) || !p.link().equals(e.link()) || !p.attributes().equals(e.attributes())) {
      return false;
    }
    if (s.imageHash() == null || !Files.isRegularFile(e.image())
        || !e.additionalImages().stream().allMatch(Files::isRegularFile)) {
      return false; // unknown content, or a row the indexing run will report
    }
    return s.imageHash().equals(imageHash(e));
  }

  /**
   * @return the SHA-256 of the product's image file; with additional images, the SHA-256 of the
   *     hashes of all its image files in order (so a changed, added or removed view is noticed)
   */
  static String imageHash(CatalogEntry e) {
    String main = sha256(e.image());
    if (e.additionalImages().isEmpty()) {
      return main;
    }
    StringBuilder all = new StringBuilder(main);
    for (Path p : e.additionalImages()) {
      all.append('|').append(sha256(p));
    }
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(all.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException ex) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
    }
  }

  /** @return the hex SHA-256 of a file's bytes */
  static String sha256(Path file) {
    try {
      return io.sightline.core.io.FileHashes.sha256(file);
    } catch (IOException e) {
      throw new InputFormatException(file, 0, "cannot read image: " + e.getMessage(), e);
    }
  }
}
