package io.sightline.describer;

import io.sightline.core.ModelException;
import io.sightline.core.StoreException;
import io.sightline.core.store.ChecksummedFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads a saved entity scorer of whichever kind the file holds. */
public final class EntityScorers {
  private EntityScorers() {}

  /**
   * Reads a scorer model file: refuses a missing file, and turns every storage or format problem
   * into a {@link ModelException} naming the file.
   */
  static <T> T read(Path file, String kind, int format, String what, ChecksummedFile.PayloadReader<T> reader) {
    if (!Files.isRegularFile(file)) {
      throw new ModelException(file + ": scorer model file not found");
    }
    try {
      return ChecksummedFile.read(file, kind, format, reader);
    } catch (StoreException | IllegalArgumentException e) {
      throw new ModelException(file + ": not a usable " + what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the file's header and loads a {@link GbdtEntityScorer} or an {@link LstmEntityScorer}.
   * Both are {@link AutoCloseable}; close the scorer when done.
   *
   * @param file a file written by {@link GbdtEntityScorer#save} or {@link LstmEntityScorer#save}
   * @return the scorer
   * @throws ModelException when the file is missing, corrupt, or holds something else
   */
  public static EntityScorer load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ModelException(file + ": scorer model file not found");
    }
    String kind;
    try {
      kind = ChecksummedFile.readHeader(file).kind();
    } catch (StoreException e) {
      throw new ModelException(file + ": not a usable entity scorer: " + e.getMessage(), e);
    }
    return switch (kind) {
      case GbdtEntityScorer.KIND -> GbdtEntityScorer.load(file);
      case LstmEntityScorer.KIND -> LstmEntityScorer.load(file);
      default -> throw new ModelException(file + ": holds a '" + kind + "', not an entity scorer ("
          + GbdtEntityScorer.KIND + " or " + LstmEntityScorer.KIND + ")");
    };
  }
}
