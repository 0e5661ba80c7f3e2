package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.StoreException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * How a catalog checks a segment file's generation sidecar against its database: once, and for a
 * read-only catalog beside a writer, against a database generation read after the sidecar.
 */
class CatalogGenerationCheckTest {
  private static final Path DIR = Path.of("/catalog");
  private static final Path FILE = DIR.resolve("apparel.hnsw");

  /** A sidecar that a writer keeps advancing: each read sees a later save than the one before. */
  private static Supplier<OptionalLong> advancing(long first, AtomicInteger reads) {
    return () -> OptionalLong.of(first + reads.getAndIncrement());
  }

  @Test
  void aReadOnlyCatalogBesideAWriterReadsTheSidecarOnceAndAcceptsIt() {
    // opened at generation 8; the writer has since committed 9 and saved (sidecar 9), and saves 10
    // right after; the database read after the sidecar says 9
    AtomicInteger reads = new AtomicInteger();
    CatalogIndexes.SavedState s = CatalogIndexes.savedState(DIR, FILE, advancing(9, reads), 8, true, () -> 9);
    assertThat(s.saved()).hasValue(9);
    assertThat(s.generation()).isEqualTo(9);
    assertThat(reads).hasValue(1);
  }

  @Test
  void aDatabaseBehindItsSidecarLostCommitsAndIsRefused() {
    AtomicInteger dbReads = new AtomicInteger();
    LongSupplier db = () -> {
      dbReads.incrementAndGet();
      return 8;
    };
    assertThatThrownBy(() -> CatalogIndexes.savedState(DIR, FILE, () -> OptionalLong.of(9), 8, true, db))
        .isInstanceOf(StoreException.class).hasMessageContaining("generation 8")
        .hasMessageContaining("saved at generation 9").hasMessageContaining("lost commits");
    assertThat(dbReads).as("read-only: the database's generation is read again first").hasValue(1);
    // a writer owns the database: no other process can have committed, nothing is re-read
    dbReads.set(0);
    assertThatThrownBy(() -> CatalogIndexes.savedState(DIR, FILE, () -> OptionalLong.of(9), 8, false, db))
        .isInstanceOf(StoreException.class);
    assertThat(dbReads).hasValue(0);
  }

  @Test
  void aSidecarAtOrBehindTheDatabaseOrNoneIsPassedOnUnchanged() {
    LongSupplier never = () -> {
      throw new AssertionError("the database generation must not be re-read");
    };
    assertThat(CatalogIndexes.savedState(DIR, FILE, () -> OptionalLong.of(7), 8, true, never))
        .isEqualTo(new CatalogIndexes.SavedState(OptionalLong.of(7), 8));
    assertThat(CatalogIndexes.savedState(DIR, FILE, () -> OptionalLong.of(8), 8, true, never))
        .isEqualTo(new CatalogIndexes.SavedState(OptionalLong.of(8), 8));
    assertThat(CatalogIndexes.savedState(DIR, FILE, OptionalLong::empty, 8, true, never))
        .isEqualTo(new CatalogIndexes.SavedState(OptionalLong.empty(), 8));
  }
}
