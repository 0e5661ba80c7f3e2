package io.sightline.commerce;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One labelled training image for the intent classifier (seed claim 4).
 *
 * @param image the image file
 * @param intent its label
 * @param line 1-based line of {@code intent.csv} it came from, 0 for API input
 */
public record IntentSample(Path image, Intent intent, long line) {
  /** Validates fields. */
  public IntentSample {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(intent, "intent");
  }

  /**
   * @param image the image file
   * @param intent its label
   */
  public IntentSample(Path image, Intent intent) {
    this(image, intent, 0);
  }

  /**
   * Reads {@code intent.csv}: header {@code image,intent}; image paths resolve against the file's
   * folder; intent is {@code non-commodity}, {@code apparel} or {@code other-commodity}.
   *
   * @param csv the file
   * @return the samples, in file order
   * @throws io.sightline.core.InputFormatException naming the line of a malformed row, an unknown
   *     intent or a missing image file
   */
  public static List<IntentSample> readCsv(Path csv) {
    return readCsv(csv, null);
  }

  /**
   * Like {@link #readCsv(Path)}, with image paths confined to {@code allowedRoot} instead of the
   * file's own folder (absolute paths outside it, '..' escapes and symbolic links leading out are
   * refused).
   *
   * @param csv the file
   * @param allowedRoot the folder image paths may point into (null: the file's folder)
   * @return the samples, in file order
   * @throws io.sightline.core.InputFormatException naming the line of a malformed row, an unknown
   *     intent, a refused path or a missing image file
   */
  public static List<IntentSample> readCsv(Path csv, Path allowedRoot) {
    io.sightline.core.io.InputFiles.Builder b = io.sightline.core.io.InputFiles.builder(csv);
    if (allowedRoot != null) {
      b.allowedRoot(allowedRoot);
    }
    io.sightline.core.io.InputFiles in = b.build();
    List<Csv.Row> rows = Csv.read(in, List.of("image", "intent"));
    List<IntentSample> out = new java.util.ArrayList<>(rows.size());
    for (Csv.Row row : rows) {
      if (row.fields().size() < 2 || row.fields().get(0).isEmpty() || row.fields().get(1).isEmpty()) {
        throw new io.sightline.core.InputFormatException(csv, row.line(),
            "expected 'image,intent' but got " + row.fields());
      }
      Intent intent;
      try {
        intent = Intent.parse(row.fields().get(1));
      } catch (IllegalArgumentException e) {
        throw new io.sightline.core.InputFormatException(csv, row.line(), e.getMessage());
      }
      Path image = in.resolve(row.fields().get(0), row.line());
      if (!java.nio.file.Files.isRegularFile(image)) {
        throw new io.sightline.core.InputFormatException(csv, row.line(), "image not found: " + image);
      }
      out.add(new IntentSample(image, intent, row.line()));
    }
    return out;
  }
}
