package io.sightline.index.lucene;

import io.sightline.core.CancelledException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side: one {@link IndexWriter} (with the codec and commit user data), serialised
 * mutations that each end in a commit and a reader refresh, rollback on failure, snapshot copies
 * for {@code save}, and closing.
 */
final class LuceneWriter {
  private static final Logger LOG = LoggerFactory.getLogger(LuceneWriter.class);

  @FunctionalInterface
  interface WriterOp<T> {
    T apply(IndexWriter w) throws IOException;
  }

  private final Path path;
  private final Directory directory;
  private final IndexMetadata metadata;
  private final LuceneVectorIndex.Options options;
  private final SnapshotDeletionPolicy snapshots;
  private final ReentrantLock lock = new ReentrantLock();
  private LuceneSearcher<?> readers;
  private volatile IndexWriter writer;
  private volatile boolean closed;

  /** Opens the writer; an empty directory gets a first, empty commit carrying the metadata. */
  LuceneWriter(Path path, Directory directory, IndexMetadata metadata, LuceneVectorIndex.Options options)
      throws IOException {
    this.path = path;
    this.directory = directory;
    this.metadata = metadata;
    this.options = options;
    this.snapshots = new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy());
    this.writer = newWriter();
    if (!DirectoryReader.indexExists(directory)) {
      writer.commit();
    }
  }

  /** Sets the readers refreshed after each commit (they open on the first commit). */
  void refreshing(LuceneSearcher<?> readers) {
    this.readers = readers;
  }

  boolean isClosed() {
    return closed;
  }

  void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(path + ": index is closed");
    }
  }

  private IndexWriter newWriter() throws IOException {
    KnnVectorsFormat format = metadata.scalarQuantized()
        ? new Lucene99HnswScalarQuantizedVectorsFormat(options.m(), options.beamWidth())
        : new Lucene99HnswVectorsFormat(options.m(), options.beamWidth());
    IndexWriterConfig cfg = new IndexWriterConfig()
        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
        .setIndexDeletionPolicy(snapshots)
        .setRAMBufferSizeMB(64)
        .setCodec(new Lucene912Codec() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return format;
          }
        });
    IndexWriter w = new IndexWriter(directory, cfg);
    w.setLiveCommitData(metadata.userData().entrySet());
    return w;
  }

  /**
   * Adds or replaces documents, committing once after all of them.
   *
   * @param terms key terms
   * @param docs documents, in the same order
   * @param listener progress receiver
   */
  void updateAll(List<Term> terms, List<Document> docs, ProgressListener listener) {
    int total = docs.size();
    int interval = Math.max(1, Math.min(10_000, total / 100));
    mutate(w -> {
      for (int i = 0; i < total; i++) {
        w.updateDocument(terms.get(i), docs.get(i));
        if ((i + 1) % interval == 0 || i + 1 == total) {
          listener.onProgress("index", i + 1, total, "");
        }
        if (Thread.currentThread().isInterrupted()) {
          throw new CancelledException("indexing interrupted after " + (i + 1) + " of " + total
              + "; nothing of this call was committed");
        }
      }
      return null;
    });
  }

  /** Runs a write under the lock, commits, refreshes readers; rolls back on failure. */
  <T> T mutate(WriterOp<T> op) {
    lock.lock();
    try {
      ensureOpen();
      T result;
      try {
        result = op.apply(writer);
        writer.commit();
      } catch (IOException | RuntimeException | Error e) {
        rollback(e);
        if (e instanceof IOException io) {
          throw new StoreException(path + ": write failed, rolled back to the last commit: " + io.getMessage(), io);
        }
        throw e;
      }
      readers.refresh();
      return result;
    } catch (IOException e) {
      throw new StoreException(path + ": cannot refresh readers: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  /** Drops everything since the last commit and reopens the writer (rollback closes it). */
  private void rollback(Throwable cause) {
    // clear the interrupt while Lucene cleans up, restore it for the caller afterwards
    boolean interrupted = Thread.interrupted();
    try {
      writer.rollback();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
    try {
      writer = newWriter();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
      closed = true;
      LOG.error("{}: writer could not be reopened after a failed write; index closed", path, e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Copies the last commit into {@code target} (temporary sibling, fsync, rename), pinning the
   * commit with a snapshot meanwhile so writers are not blocked.
   */
  void copyLastCommit(Path target) {
    ensureOpen();
    Path abs = target.toAbsolutePath().normalize();
    if (abs.equals(path.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("save target is the index's own directory; it is always saved: " + target);
    }
    Path parent = abs.getParent();
    Path tmp = parent.resolve(abs.getFileName() + ".tmp-" + System.nanoTime());
    IndexCommit commit = null;
    try {
      Files.createDirectories(parent);
      commit = snapshots.snapshot();
      try (Directory out = FSDirectory.open(tmp)) {
        for (String name : commit.getFileNames()) {
          out.copyFrom(directory, name, name, IOContext.DEFAULT);
        }
        out.sync(commit.getFileNames());
        out.syncMetaData();
      }
      Path aside = null;
      if (Files.exists(abs)) {
        aside = parent.resolve(abs.getFileName() + ".old-" + System.nanoTime());
        Files.move(abs, aside, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
      if (aside != null) {
        deleteTree(aside);
      }
    } catch (IOException e) {
      try {
        deleteTree(tmp);
      } catch (IOException ignored) {
        e.addSuppressed(ignored);
      }
      throw new StoreException(target + ": cannot save Lucene vector index: " + e.getMessage(), e);
    } finally {
      if (commit != null) {
        try {
          snapshots.release(commit);
          writer.deleteUnusedFiles();
        } catch (IOException | RuntimeException e) {
          LOG.warn("{}: releasing the save snapshot failed", path, e);
        }
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }

  /** Closes readers, the writer (everything is already committed) and the directory. Idempotent. */
  void close() {
    lock.lock();
    try {
      if (closed && writer == null) {
        return;
      }
      closed = true;
      IOException failure = null;
      try {
        if (readers != null) {
          readers.close();
        }
      } catch (IOException e) {
        failure = e;
      }
      try {
        if (writer != null) {
          writer.close();
        }
      } catch (IOException | RuntimeException e) {
        failure = failure == null ? new IOException(e) : failure;
      }
      writer = null;
      try {
        directory.close();
      } catch (IOException e) {
        failure = failure == null ? e : failure;
      }
      if (failure != null) {
        throw new StoreException(path + ": close failed: " + failure.getMessage(), failure);
      }
    } finally {
      lock.unlock();
    }
  }
}
