package io.sightline.describer;

import static io.sightline.describer.ReferenceTables.*;

import io.sightline.core.CancellationToken;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.SightlineException;
import io.sightline.core.StoreException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.Vectors;
import io.sightline.core.store.Database;
import io.sightline.describer.ReferenceWriter.Prepared;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest job of a {@link ReferenceStore}: making references ready for writing (decoding the
 * image, embedding it, its content key and local features, extracting the page's entities,
 * checking the page and the location) and feeding them to the {@link ReferenceWriter} one by one,
 * in batches or from a {@code refs.jsonl} file ({@link RefsJsonl}, with URL fetching under a
 * {@link UrlPolicy}); and replacing a stored page while keeping its image.
 */
final class ReferenceIngest {
  /** Logs under the store's name, as before the store was split into its jobs. */
  private static final Logger LOG = LoggerFactory.getLogger(ReferenceStore.class);
  private static final int BATCH = ReferenceWriter.BATCH;

  private final ReferenceStorage storage;
  private final ReferenceQueries queries;
  private final ReferenceWriter writer;
  private final Database db;
  private final ImageEmbedder embedder;
  private final ImageLoader loader;
  private final ReferenceInstances instances;
  private final ReentrantLock writeLock;

  ReferenceIngest(ReferenceStorage storage, ReferenceQueries queries, ReferenceWriter writer) {
    this.storage = storage;
    this.queries = queries;
    this.writer = writer;
    this.db = storage.db;
    this.embedder = storage.embedder;
    this.loader = storage.loader;
    this.instances = storage.instances;
    this.writeLock = storage.writeLock;
  }

  private String where() {
    return storage.where();
  }

  private void checkOpen() {
    storage.checkWritable();
  }

  private List<AddOutcome> write(List<Prepared> batch) {
    return writer.write(batch);
  }

  private EntityExtractor extractorForWrites() {
    return writer.extractorForWrites();
  }

  private void flush() {
    storage.flush();
  }

  private Prepared prepare(Reference ref, BufferedImage image, String location, Origin origin) {
    if (ref.isEmptyPage()) {
      throw new InputFormatException(null, 0, "reference " + ref.id()
          + ": empty page (no title, text or fields): nothing to describe the image with");
    }
    float[] v = embedder.embed(image);
    ReferenceInstances.Extracted local = instances == null ? null : instances.extract(image);
    return prepareVector(ref, v, ReferenceStore.contentKey(image), location, origin, local);
  }

  /** @param local the image's local features (null: no change to the instance index) */
  private Prepared prepareVector(Reference ref, float[] vector, String key, String location, Origin origin,
      ReferenceInstances.Extracted local) {
    if (ref.isEmptyPage()) {
      throw new InputFormatException(null, 0, "reference " + ref.id()
          + ": empty page (no title, text or fields): nothing to describe the image with");
    }
    ReferenceStore.checkLocation(ref.id(), location);
    Vectors.check(vector, embedder.dimension());
    if (Vectors.norm(vector) < 1e-12) {
      throw new io.sightline.core.InvalidVectorException("reference " + ref.id() + ": zero vector");
    }
    List<PageEntity> entities = PageEntities.extract(extractorForWrites(), ref);
    return new Prepared(ref, vector.clone(), key, location, origin, entities, local);
  }

  private ReferenceInstances.Extracted noPixels() {
    return instances == null ? null : ReferenceInstances.Extracted.NO_PIXELS;
  }

  private Prepared prepare(ReferenceInput in) {
    ReferenceStore.checkLocation(in.reference().id(), in.image().location());
    BufferedImage img = in.image().load(loader);
    return prepare(in.reference(), img, in.image().location(), in.origin());
  }

  /** @see ReferenceStore#add(ReferenceInput) */
  AddOutcome add(ReferenceInput input) {
    Prepared p = prepare(input);
    return write(List.of(p)).get(0);
  }

  /** @see ReferenceStore#add(Reference, BufferedImage, String, Origin) */
  AddOutcome add(Reference reference, BufferedImage image, String location, Origin origin) {
    Objects.requireNonNull(image, "image");
    return write(List.of(prepare(reference, image, location, Objects.requireNonNull(origin, "origin")))).get(0);
  }

  /** @see ReferenceStore#addVector(Reference, float[], String) */
  AddOutcome addVector(Reference reference, float[] vector, String imageKey) {
    Objects.requireNonNull(imageKey, "imageKey");
    return write(List.of(prepareVector(reference, vector, imageKey, "vector:" + imageKey,
        Origin.PRECOMPUTED, noPixels()))).get(0);
  }

  /** @see ReferenceStore#addVectors(List, List, List, ProgressListener, CancellationToken) */
  void addVectors(List<Reference> references, List<float[]> vectors, List<String> imageKeys,
      ProgressListener listener, CancellationToken cancel) {
    if (references.size() != vectors.size() || references.size() != imageKeys.size()) {
      throw new IllegalArgumentException("references, vectors and imageKeys differ in length");
    }
    int n = references.size();
    for (int from = 0; from < n; from += BATCH * 8) {
      cancel.throwIfCancelled();
      int to = Math.min(n, from + BATCH * 8);
      List<Prepared> batch = new ArrayList<>();
      for (int i = from; i < to; i++) {
        batch.add(prepareVector(references.get(i), vectors.get(i), imageKeys.get(i),
            "vector:" + imageKeys.get(i), Origin.PRECOMPUTED, noPixels()));
      }
      write(batch);
      listener.onProgress("describer-ingest", to, n, "");
    }
  }

  /** @see ReferenceStore#addAll(List, ProgressListener, CancellationToken) */
  List<AddOutcome> addAll(List<ReferenceInput> inputs, ProgressListener listener, CancellationToken cancel) {
    List<AddOutcome> out = new ArrayList<>(inputs.size());
    for (int from = 0; from < inputs.size(); from += BATCH) {
      cancel.throwIfCancelled();
      List<ReferenceInput> slice = inputs.subList(from, Math.min(inputs.size(), from + BATCH));
      List<Prepared> prepared = slice.parallelStream().map(this::prepare).toList();
      out.addAll(write(prepared));
      listener.onProgress("describer-ingest", from + slice.size(), inputs.size(), "");
    }
    return out;
  }

  /** @see ReferenceStore#importJsonl(Path, Path, UrlPolicy, ErrorPolicy, ProgressListener, CancellationToken) */
  IngestReport importJsonl(Path file, Path allowedRoot, UrlPolicy urls, ErrorPolicy policy,
      ProgressListener listener, CancellationToken cancel) {
    List<RefsJsonl.Line> lines = RefsJsonl.read(file, allowedRoot, urls);
    List<IngestReport.LineError> errors = new ArrayList<>();
    long added = 0;
    long merged = 0;
    long updated = 0;
    List<Prepared> all = new ArrayList<>();
    int done = 0;
    for (int from = 0; from < lines.size(); from += BATCH) {
      cancel.throwIfCancelled();
      List<RefsJsonl.Line> slice = lines.subList(from, Math.min(lines.size(), from + BATCH));
      List<Object> results = slice.parallelStream().map(l -> {
        if (l.error() != null) {
          return (Object) new IngestReport.LineError(l.line(), l.error());
        }
        try {
          return (Object) prepare(l.input());
        } catch (SightlineException e) {
          return (Object) new IngestReport.LineError(l.line(), e.getMessage());
        }
      }).toList();
      List<Prepared> batch = new ArrayList<>();
      for (Object o : results) {
        if (o instanceof IngestReport.LineError le) {
          errors.add(le);
        } else {
          batch.add((Prepared) o);
        }
      }
      if (policy == ErrorPolicy.SKIP) {
        for (AddOutcome a : write(batch)) {
          switch (a) {
            case ADDED -> added++;
            case MERGED -> merged++;
            case UPDATED -> updated++;
          }
        }
      } else {
        all.addAll(batch);
      }
      done += slice.size();
      listener.onProgress("describer-ingest", done, lines.size(), errors.isEmpty() ? "" : errors.size() + " malformed");
    }
    if (policy == ErrorPolicy.REJECT) {
      if (!errors.isEmpty()) {
        StringBuilder sb = new StringBuilder(errors.size() + " malformed record(s), nothing ingested:");
        for (IngestReport.LineError e : errors.subList(0, Math.min(20, errors.size()))) {
          sb.append("\n  line ").append(e.line()).append(": ").append(e.message());
        }
        throw new InputFormatException(file, errors.get(0).line(), sb.toString());
      }
      cancel.throwIfCancelled();
      for (AddOutcome a : write(all)) {
        switch (a) {
          case ADDED -> added++;
          case MERGED -> merged++;
          case UPDATED -> updated++;
        }
      }
    }
    for (IngestReport.LineError e : errors) {
      LOG.warn("{}:{}: skipped: {}", file, e.line(), e.message());
    }
    flush();
    return new IngestReport(lines.size(), added, merged, updated, errors.size(), errors);
  }

  /** @see ReferenceStore#update(Reference) */
  boolean update(Reference reference) {
    checkOpen();
    writeLock.lock();
    try {
      return updateLocked(reference);
    } finally {
      writeLock.unlock();
    }
  }

  private boolean updateLocked(Reference reference) {
    Optional<StoredReference> old = queries.get(reference.id());
    if (old.isEmpty()) {
      return false;
    }
    float[] v = db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT vector FROM describer_images WHERE image_key = ?")) {
        ps.setString(1, old.get().imageKey());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? io.sightline.core.index.Vectors.fromBytes(rs.getBytes(1)) : null;
        }
      }
    });
    if (v == null) {
      throw new StoreException(where() + ": reference " + reference.id() + " has no stored image vector");
    }
    write(List.of(prepareVector(reference, v, old.get().imageKey(), old.get().location(), old.get().origin(), null)));
    return true;
  }
}
