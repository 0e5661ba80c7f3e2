package io.sightline.describer;

import io.sightline.core.instance.Matcher;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The names and order of the feature parameters of an entity (claim 7), per scoring mode. A
 * trained scorer records the schema it was trained on and refuses another.
 *
 * <p>Grouped features (one row per entity group; {@code R} = matched references, {@code sim} =
 * similarity of a reference's image to the target as the store's {@link Matcher} fuses it — cosine,
 * calibrated instance score, or the larger of both for instance-verified references, see
 * {@link ReferenceMatch#similarity()} — {@code share(e,r)} = position-weighted
 * occurrences of {@code e} in page {@code r} over those of all entities of {@code r}):
 * <ul>
 *   <li>{@code matchedReferences}: |R|;</li>
 *   <li>{@code references}: distinct references of R whose page mentions the entity;
 *       {@code referenceShare}: that over |R|;</li>
 *   <li>{@code displays}, {@code views}, {@code clicks}: log(1 + sum over those pages);
 *       {@code clickRate}: clicks over displays;</li>
 *   <li>{@code occurrences}: total occurrences; {@code occurrencesAvg}: per mentioning page;</li>
 *   <li>{@code positionWeightMax}, {@code positionWeightAvg}: position weight
 *       ({@link TextPosition}) best over pages, and average of each page's best;
 *       {@code titleShare}: share of mentioning pages that have it in the title;</li>
 *   <li>{@code entityMatch}: matching degree between the entity and the target,
 *       sum_r sim(r)·share(e,r) / sum_r sim(r); {@code entityMatchMax}: max_r sim(r)·share(e,r);</li>
 *   <li>{@code sourceMatchMax}, {@code sourceMatchAvg}: matching degree between the pages that
 *       contain the entity and the target (their images' similarity);
 *       {@code topSimilarity}: best similarity of any match; {@code bestRank}: best image rank;</li>
 *   <li>{@code databaseFrequency}: share of all stored pages that mention the entity (generic
 *       words such as "flag" are everywhere); 0.5 in a store of a single page, where every word is
 *       on every page and nothing tells a generic word from a specific one;</li>
 *   <li>{@code nameLike}: how name-like the candidate is ({@link EntityKind#nameLike()});
 *       {@code words}: its length in words.</li>
 * </ul>
 * Per-mention features are the same quantities for one page: {@code displays}, {@code views},
 * {@code clicks}, {@code clickRate}, {@code occurrences}, {@code positionWeight}, {@code inTitle},
 * {@code entityMatch} = sim(r)·share(e,r), {@code sourceMatch} = sim(r), and the context features.
 *
 * <p>The feature names do not depend on the matcher, so a scorer trained under one matcher loads
 * under another; it learned the similarity distribution of the matcher it was trained with, so
 * retrain it when the matcher changes.
 *
 * @param mode the scoring mode
 * @param names feature names in row order
 */
public record FeatureSchema(ScoringMode mode, List<String> names) {
  /** Grouped mode (claims 4-5). */
  public static final FeatureSchema GROUPED = new FeatureSchema(ScoringMode.GROUPED, List.of(
      "matchedReferences", "references", "referenceShare", "displays", "views", "clicks", "clickRate",
      "occurrences", "occurrencesAvg", "positionWeightMax", "positionWeightAvg", "titleShare",
      "entityMatch", "entityMatchMax", "sourceMatchMax", "sourceMatchAvg", "topSimilarity", "bestRank",
      "databaseFrequency", "nameLike", "words"));
  /** Per-mention mode (claim 6). */
  public static final FeatureSchema PER_MENTION = new FeatureSchema(ScoringMode.PER_MENTION, List.of(
      "matchedReferences", "displays", "views", "clicks", "clickRate", "occurrences", "positionWeight",
      "inTitle", "entityMatch", "sourceMatch", "topSimilarity", "rank", "databaseFrequency", "nameLike",
      "words"));

  /** Copies. */
  public FeatureSchema {
    names = List.copyOf(names);
  }

  /**
   * @param mode a mode
   * @return its schema
   */
  public static FeatureSchema of(ScoringMode mode) {
    return mode == ScoringMode.GROUPED ? GROUPED : PER_MENTION;
  }

  /**
   * @param name a feature name
   * @return its column, or -1
   */
  public int indexOf(String name) {
    return names.indexOf(name);
  }

  /** @return number of features */
  public int size() {
    return names.size();
  }

  /** Writes mode and names (the header of every saved scorer model). */
  void write(DataOutputStream out) throws IOException {
    out.writeUTF(mode.name());
    out.writeInt(names.size());
    for (String n : names) {
      out.writeUTF(n);
    }
  }

  /** Reads what {@link #write} wrote. */
  static FeatureSchema read(DataInputStream in) throws IOException {
    ScoringMode mode = ScoringMode.valueOf(in.readUTF());
    int n = in.readInt();
    if (n < 1 || n > 10_000) {
      throw new IOException("bad feature count " + n);
    }
    List<String> names = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      names.add(in.readUTF());
    }
    return new FeatureSchema(mode, names);
  }

  /** Reads a length-prefixed block of at most {@code max} bytes. */
  static byte[] readBlock(DataInputStream in, int max) throws IOException {
    int len = in.readInt();
    if (len < 1 || len > max) {
      throw new IOException("bad block length " + len);
    }
    byte[] b = in.readNBytes(len);
    if (b.length != len) {
      throw new java.io.EOFException();
    }
    return b;
  }
}
