package io.sightline.core.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The write generation an index file was saved at, kept in a small sidecar file
 * ({@code <index file>.gen}) beside it. Stores whose database is the truth count their commits
 * in the database and save index files only after the commits they reflect, then this number;
 * on open a generation equal to the database's means the index file can be used, a lower one
 * (or none) that it must be rebuilt from the database, and a higher one that the database lost
 * commits (a truncated file, a restored backup) and must not be served.
 */
public final class IndexGeneration {
  private IndexGeneration() {}

  /**
   * @param indexFile the index file
   * @return its generation sidecar
   */
  public static Path sidecar(Path indexFile) {
    return indexFile.resolveSibling(indexFile.getFileName() + ".gen");
  }

  /**
   * @param indexFile the index file
   * @return the generation saved beside it; empty when there is no sidecar or it cannot be read
   */
  public static OptionalLong read(Path indexFile) {
    Path f = sidecar(indexFile);
    if (!Files.isRegularFile(f)) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(Files.readString(f, StandardCharsets.US_ASCII).strip()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * Atomically records the generation an index file was saved at; call after the index file
   * itself is saved.
   *
   * @param indexFile the index file
   * @param generation the database write generation it reflects
   */
  public static void write(Path indexFile, long generation) {
    AtomicFiles.write(sidecar(indexFile), out -> out.write(Long.toString(generation).getBytes(StandardCharsets.US_ASCII)));
  }
}
