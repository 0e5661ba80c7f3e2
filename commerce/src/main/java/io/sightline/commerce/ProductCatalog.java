package io.sightline.commerce;

import io.sightline.core.instance.Matcher;
import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.io.InputFiles;
import io.sightline.core.ProgressListener;
import io.sightline.core.SightlineException;
import io.sightline.core.StoreException;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import io.sightline.core.instance.InstanceMatch;
import io.sightline.core.instance.LocalFeatureSet;
import io.sightline.core.store.Database;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The product image database of the seed: product metadata (id, image, category, title, link)
 * in the embedded database (H2 file mode), and one HNSW vector index per product segment, each
 * with its own embedder (seed claim 2: an apparel recognition model and an other-commodity
 * recognition model). Products whose category is {@code apparel} or {@code apparel/...} go to
 * the apparel index, all others to the other-commodity index.
 *
 * <p>Layout of the catalog folder: {@code catalog.mv.db} (H2), {@code apparel.hnsw} and
 * {@code other-commodity.hnsw} (checksummed, atomically replaced index files that record their
 * embedder id), with a {@link Matcher#LOCAL local} or {@link Matcher#HYBRID hybrid} matcher
 * {@code instances-apparel/} and {@code instances-other-commodity/} (core
 * {@link io.sightline.core.instance.InstanceIndex} logs that record their feature extractor and
 * vocabulary), and optionally {@code intent.model} (see {@link #saveIntentModel}). Opening a
 * catalog with an embedder or a matcher other than the one it was built with is refused with an
 * {@link IncompatibleFormatException}.
 *
 * <p><b>Matcher.</b> Chosen with {@link Builder#matcher} when the catalog is created (default
 * {@link Matcher#DEFAULT}) and stored in its database; see {@link Matcher}. With local or hybrid
 * matching every product image is also stored in its segment's instance index (RootSIFT
 * features of the same decoded, alpha-flattened image the embedder sees); an image with too few
 * local features (a flat logo, a tiny picture) is stored with its global vector only, logged as
 * a warning and listed in {@link IndexReport#withoutLocalFeatures()}.
 *
 * <p>Indexing embeds every row first and writes nothing until all rows are embedded, so a
 * cancelled or failed run leaves the catalog as it was (local features are spooled to a
 * temporary file in the folder meanwhile). Index files are written before the database commit;
 * the database is the source of truth, and a search never returns a vector or an instance match
 * whose product row is absent. Opening reconciles the instance indexes with the database: entries
 * left by an interrupted run are pruned, and products whose features are missing (a deleted
 * folder) fail the open with a {@link StoreException}, as a missing HNSW file does.
 *
 * <p>Thread-safe: searches run concurrently with each other and with indexing; indexing runs are
 * serialised.
 */
public final class ProductCatalog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProductCatalog.class);
  /** Schema component name in the database. */
  static final String COMPONENT = "commerce.catalog";
  private static final List<String> MIGRATIONS = List.of(
      "CREATE TABLE commerce_products (id VARCHAR(512) PRIMARY KEY, image VARCHAR(4096) NOT NULL, "
          + "category VARCHAR(512) NOT NULL, title VARCHAR(4096) NOT NULL, link VARCHAR(4096) NOT NULL, "
          + "segment VARCHAR(32) NOT NULL);"
          + "CREATE INDEX commerce_products_segment ON commerce_products(segment);"
          + "CREATE TABLE commerce_meta (k VARCHAR(200) PRIMARY KEY, v VARCHAR(4096) NOT NULL)",
      // 2: keypoints stored in the segment's instance index (NULL: none) and their extent in the
      // catalog image (see CatalogInstances.Entry)
      "ALTER TABLE commerce_products ADD COLUMN local_features INT;"
          + "ALTER TABLE commerce_products ADD COLUMN local_extent VARCHAR(64)");
  /** Metadata key of the matcher the catalog was built for. */
  static final String MATCHER_KEY = "matcher";
  private static final String DB_FILE = "catalog.mv.db";
  /** The longest product id, in characters (the id column). */
  public static final int MAX_ID_LENGTH = 512;
  /** The longest category, in characters (the category column). */
  public static final int MAX_CATEGORY_LENGTH = 512;
  /** The longest title, link or image path, in characters (their columns). */
  public static final int MAX_TEXT_LENGTH = 4096;
  private static final Pattern CATEGORY = Pattern.compile("[\\p{L}\\p{N} _.&'+-]+(/[\\p{L}\\p{N} _.&'+-]+)*");
  /** The two searchable segments. */
  static final List<Intent> SEGMENTS = List.of(Intent.APPAREL, Intent.OTHER_COMMODITY);

  private final Path dir;
  private final Database db;
  private final Map<Intent, ImageEmbedder> embedders;
  private final Map<Intent, HnswVectorIndex<String>> indexes;
  private final Set<String> knownCategories;
  private final ImageLoader loader;
  private final int indexThreads;
  private final Matcher matcher;
  /** Instance indexes; null for a {@link Matcher#GLOBAL} catalog. */
  private final CatalogInstances instances;

  private ProductCatalog(Builder b) {
    this.dir = b.dir.toAbsolutePath();
    this.embedders = new EnumMap<>(b.embedders);
    this.knownCategories = b.knownCategories == null ? null : Set.copyOf(b.knownCategories);
    this.loader = b.loader;
    this.indexThreads = b.indexThreads;
    refuseForeignFolder(dir, b.mustExist);
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new StoreException(dir + ": cannot create catalog folder: " + e.getMessage(), e);
    }
    this.db = Database.openFile(dir, "catalog");
    try {
      db.ensureSchema(COMPONENT, MIGRATIONS);
      checkEmbedders();
      this.indexes = new EnumMap<>(Intent.class);
      for (Intent s : SEGMENTS) {
        Path file = indexFile(s);
        ImageEmbedder e = embedders.get(s);
        HnswVectorIndex<String> idx;
        if (Files.exists(file)) {
          idx = HnswVectorIndex.load(file, String.class, e.id());
          if (idx.dimension() != e.dimension()) {
            throw new IncompatibleFormatException(file + ": holds " + idx.dimension()
                + "-d vectors but the " + s + " embedder gives " + e.dimension());
          }
          idx.setEf(b.ef);
        } else {
          if (count(s) > 0) {
            throw new StoreException(file + ": index file missing although the database lists "
                + count(s) + " " + s + " products; re-run indexing into a fresh folder");
          }
          idx = HnswVectorIndex.builder().dimension(e.dimension()).embedderId(e.id())
              .metric(Metric.COSINE).m(b.m).efConstruction(b.efConstruction).ef(b.ef).build();
        }
        indexes.put(s, idx);
      }
      this.matcher = resolveMatcher(b.matcher);
      this.instances = matcher.usesInstances() ? CatalogInstances.open(dir, this::instanceIds) : null;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** Resolves the matcher (see {@link Matcher#resolve}) and stores it when it changed. */
  private Matcher resolveMatcher(Matcher requested) {
    String have = meta().get(MATCHER_KEY);
    Matcher use = CatalogInstances.resolve(have, size() == 0, requested, "catalog " + dir);
    if (!use.id().equals(have)) {
      putMeta(MATCHER_KEY, use.id());
    }
    return use;
  }

  private void putMeta(String key, String value) {
    db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("MERGE INTO commerce_meta (k, v) KEY (k) VALUES (?, ?)")) {
        ps.setString(1, key);
        ps.setString(2, value);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Ids of a segment's products whose features the database lists as stored in its instance index. */
  private Set<String> instanceIds(Intent segment) {
    return db.transaction(c -> {
      Set<String> ids = new HashSet<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id FROM commerce_products WHERE segment = ? AND local_features IS NOT NULL")) {
        ps.setString(1, segment.label());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      return ids;
    });
  }

  /** @return a builder; the folder is required */
  public static Builder builder() {
    return new Builder();
  }

  private void checkEmbedders() {
    Map<String, String> meta = meta();
    Map<String, String> put = new LinkedHashMap<>();
    for (Intent s : SEGMENTS) {
      String key = "embedder." + s.label();
      String have = meta.get(key);
      String want = embedders.get(s).id();
      if (have == null) {
        put.put(key, want);
      } else if (!have.equals(want)) {
        throw new IncompatibleFormatException("catalog " + dir + ": the " + s + " index was built with embedder '"
            + have + "', not '" + want + "'; search it with the same embedder or build a new catalog");
      }
    }
    if (!put.isEmpty()) {
      db.transaction(c -> {
        try (PreparedStatement ps = c.prepareStatement("MERGE INTO commerce_meta (k, v) KEY (k) VALUES (?, ?)")) {
          for (Map.Entry<String, String> e : put.entrySet()) {
            ps.setString(1, e.getKey());
            ps.setString(2, e.getValue());
            ps.addBatch();
          }
          ps.executeBatch();
        }
        return null;
      });
    }
  }

  private Map<String, String> meta() {
    return db.transaction(c -> {
      Map<String, String> m = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT k, v FROM commerce_meta");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          m.put(rs.getString(1), rs.getString(2));
        }
      }
      return m;
    });
  }

  private Path indexFile(Intent segment) {
    return dir.resolve(segment.label() + ".hnsw");
  }

  /** @return the catalog folder */
  public Path directory() {
    return dir;
  }

  /** @return the matcher this catalog was built for (stored in its database) */
  public Matcher matcher() {
    return matcher;
  }

  /**
   * Instance matching in one segment: the catalog images that show the same product as the
   * photo, with verified evidence (see {@link Matcher#LOCAL}). Candidates whose product row is
   * absent or lies in the other segment are dropped.
   *
   * @param segment {@link Intent#APPAREL} or {@link Intent#OTHER_COMMODITY}
   * @param query the photo (or a crop of it)
   * @param k most candidates
   * @return candidates, best first; only those with {@link InstanceMatch#verified()} are evidence
   * @throws IllegalStateException on a {@link Matcher#GLOBAL} catalog (it has no instance index)
   * @throws io.sightline.core.instance.NoFeaturesException when the photo has too few local features
   */
  public List<InstanceMatch> matchInstances(Intent segment, BufferedImage query, int k) {
    return matchInstances(segment, instances().extract(query), k).stream().map(CatalogInstances.Located::match)
        .toList();
  }

  /** Instance candidates with committed rows of the segment, with their product's extent. */
  List<CatalogInstances.Located> matchInstances(Intent segment, LocalFeatureSet query, int k) {
    List<InstanceMatch> raw = instances().match(checkSegment(segment), query, k);
    if (raw.isEmpty()) {
      return List.of();
    }
    Map<String, String> extents = db.transaction(c -> {
      Map<String, String> m = new HashMap<>();
      StringBuilder sql = new StringBuilder("SELECT id, local_extent FROM commerce_products WHERE segment = ? AND id IN (");
      for (int i = 0; i < raw.size(); i++) {
        sql.append(i == 0 ? "?" : ",?");
      }
      try (PreparedStatement ps = c.prepareStatement(sql.append(')').toString())) {
        ps.setString(1, segment.label());
        for (int i = 0; i < raw.size(); i++) {
          ps.setString(i + 2, raw.get(i).id());
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            m.put(rs.getString(1), rs.getString(2) == null ? "" : rs.getString(2));
          }
        }
      }
      return m;
    });
    List<CatalogInstances.Located> out = new ArrayList<>();
    for (InstanceMatch m : raw) {
      String extent = extents.get(m.id());
      if (extent != null) { // else: no committed row in this segment
        out.add(new CatalogInstances.Located(m, extent.isEmpty() ? null : extent));
      }
    }
    return out;
  }

  /** @return the instance indexes; throws on a global catalog */
  CatalogInstances instances() {
    if (instances == null) {
      throw new IllegalStateException("catalog " + dir + " was built with the 'global' matcher and has no instance "
          + "index; build a new catalog with matcher local or hybrid");
    }
    return instances;
  }

  /**
   * @param segment {@link Intent#APPAREL} or {@link Intent#OTHER_COMMODITY}
   * @return the embedder (recognition model) of that segment
   */
  public ImageEmbedder embedder(Intent segment) {
    return embedders.get(checkSegment(segment));
  }

  /**
   * @param segment {@link Intent#APPAREL} or {@link Intent#OTHER_COMMODITY}
   * @return the vector index of that segment
   */
  HnswVectorIndex<String> index(Intent segment) {
    return indexes.get(checkSegment(segment));
  }

  private static Intent checkSegment(Intent segment) {
    if (segment == null || !segment.isCommodity()) {
      throw new IllegalArgumentException("segment must be apparel or other-commodity, not " + segment);
    }
    return segment;
  }

  /** @return the number of products stored */
  public int size() {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM commerce_products");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  /**
   * @param segment a segment
   * @return the number of products stored in it
   */
  public int count(Intent segment) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM commerce_products WHERE segment = ?")) {
        ps.setString(1, segment.label());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    });
  }

  /** @return the configured category whitelist, empty when any well-formed category is accepted */
  public Set<String> knownCategories() {
    return knownCategories == null ? Set.of() : knownCategories;
  }

  /**
   * @param id product id
   * @return the product, if stored
   */
  public Optional<Product> product(String id) {
    return Optional.ofNullable(products(List.of(id)).get(id));
  }

  /**
   * @param ids product ids
   * @return the stored products among them, by id
   */
  public Map<String, Product> products(Collection<String> ids) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    List<String> list = new ArrayList<>(new LinkedHashSet<>(ids));
    Map<String, Product> out = new HashMap<>();
    for (int from = 0; from < list.size(); from += 500) {
      out.putAll(productChunk(list.subList(from, Math.min(list.size(), from + 500))));
    }
    return out;
  }

  private Map<String, Product> productChunk(List<String> list) {
    return db.transaction(c -> {
      Map<String, Product> out = new HashMap<>();
      StringBuilder sql = new StringBuilder("SELECT id, image, category, title, link FROM commerce_products WHERE id IN (");
      for (int i = 0; i < list.size(); i++) {
        sql.append(i == 0 ? "?" : ",?");
      }
      sql.append(')');
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < list.size(); i++) {
          ps.setString(i + 1, list.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Product p = new Product(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
            out.put(p.id(), p);
          }
        }
      }
      return out;
    });
  }

  /**
   * Nearest products of one segment; hits whose product row is absent are dropped.
   *
   * @param segment which index
   * @param vector a vector from {@link #embedder(Intent) embedder(segment)}
   * @param k how many at most
   * @return hits, closest first (distance = cosine distance 1 - cos, in [0, 2])
   */
  public List<SearchResult<String>> search(Intent segment, float[] vector, int k) {
    return index(segment).search(vector, k);
  }

  /**
   * Reads {@code catalog.csv} (header {@code id,image,category,title,link}; image paths resolve
   * against the file's folder) and indexes every valid row. Rows with a missing or undecodable
   * image, an empty id, a duplicate id, an unknown or malformed category, or a field longer than
   * its column (id or category over 512 characters, title, link or image path over 4096) are left
   * out and reported by line in {@link IndexReport#problems()}; the other rows are indexed.
   *
   * @param catalogCsv the file
   * @param listener progress ("index" per row)
   * @param token cancels between rows; nothing is stored then
   * @return what was stored and what was left out
   * @throws InputFormatException when the file is missing or its header is wrong
   */
  public IndexReport index(Path catalogCsv, ProgressListener listener, CancellationToken token) {
    return index(catalogCsv, null, listener, token);
  }

  /**
   * Like {@link #index(Path, ProgressListener, CancellationToken)}, with image paths confined to
   * {@code allowedRoot} instead of the file's own folder; a row whose path is absolute outside
   * the root, escapes it with '..' or leaves it through a symbolic link is reported, not indexed.
   *
   * @param catalogCsv the file
   * @param allowedRoot the folder image paths may point into (null: the file's folder)
   * @param listener progress ("index" per row)
   * @param token cancels between rows; nothing is stored then
   * @return what was stored and what was left out
   * @throws InputFormatException when the file is missing, not UTF-8, or its header is wrong
   */
  public IndexReport index(Path catalogCsv, Path allowedRoot, ProgressListener listener, CancellationToken token) {
    InputFiles.Builder b = InputFiles.builder(catalogCsv);
    if (allowedRoot != null) {
      b.allowedRoot(allowedRoot);
    }
    InputFiles in = b.build();
    List<Csv.Row> rows = Csv.read(in, List.of("id", "image", "category", "title", "link"));
    List<CatalogEntry> entries = new ArrayList<>();
    List<RowProblem> problems = new ArrayList<>();
    for (Csv.Row r : rows) {
      List<String> f = r.fields();
      if (f.size() < 3) {
        problems.add(new RowProblem(r.line(), f.isEmpty() ? "" : f.get(0),
            "expected 'id,image,category,title,link' but got " + f.size() + " field(s)"));
        continue;
      }
      if (f.get(1).isEmpty()) {
        problems.add(new RowProblem(r.line(), f.get(0), "image is empty"));
        continue;
      }
      Path image;
      try {
        image = in.resolve(f.get(1), r.line());
      } catch (InputFormatException e) {
        problems.add(new RowProblem(r.line(), f.get(0), e.getMessage()));
        continue;
      }
      entries.add(new CatalogEntry(f.get(0), image, f.get(2),
          f.size() > 3 ? f.get(3) : "", f.size() > 4 ? f.get(4) : "", r.line()));
    }
    return index(entries, problems, listener, token);
  }

  /**
   * Indexes products given through the API; invalid ones are reported, not thrown.
   *
   * @param entries the products
   * @param listener progress ("index" per product)
   * @param token cancels between products; nothing is stored then
   * @return what was stored and what was left out
   */
  public IndexReport index(List<CatalogEntry> entries, ProgressListener listener, CancellationToken token) {
    return index(entries, new ArrayList<>(), listener, token);
  }

  private IndexReport index(List<CatalogEntry> entries, List<RowProblem> problems, ProgressListener listener,
      CancellationToken token) {
    List<CatalogEntry> valid = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    long done = 0;
    try (CatalogInstances.Staging staged = new CatalogInstances.Staging(dir)) {
      for (CatalogEntry e : entries) {
        token.throwIfCancelled();
        String problem = validate(e, seen);
        if (problem == null) {
          try {
            BufferedImage img = loader.load(e.image());
            float[] v = embedders.get(e.segment()).embed(img);
            if (instances != null) {
              // the same decoded, alpha-flattened image the global embedder saw
              LocalFeatureSet f = instances.extractForCatalog(img, e.id());
              if (f != null) {
                staged.put(e.segment(), e.id(), f);
              }
            }
            vectors.add(v);
            valid.add(e);
          } catch (SightlineException ex) {
            problem = ex.getMessage();
          }
        }
        if (problem != null) {
          problems.add(new RowProblem(e.line(), e.id(), problem));
          LOG.warn("catalog line {} ({}): {}", e.line(), e.id(), problem);
        } else {
          seen.add(e.id());
        }
        listener.onProgress("index", ++done, entries.size(), "");
      }
      token.throwIfCancelled();
      return store(valid, vectors, problems, staged);
    }
  }

  /**
   * Indexes products whose vectors were computed elsewhere with this catalog's embedders (for
   * example in a batch job); images are not read. Rows with an empty id, a duplicate id or an
   * unknown category are reported.
   *
   * @param entries the products
   * @param vectors one vector per product, from the embedder of the product's segment
   * @param listener progress
   * @return what was stored
   */
  public IndexReport indexVectors(List<CatalogEntry> entries, List<float[]> vectors, ProgressListener listener) {
    if (entries.size() != vectors.size()) {
      throw new IllegalArgumentException(entries.size() + " entries but " + vectors.size() + " vectors");
    }
    List<CatalogEntry> valid = new ArrayList<>();
    List<float[]> vs = new ArrayList<>();
    List<RowProblem> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      CatalogEntry e = entries.get(i);
      String problem = validateFields(e, seen);
      if (problem != null) {
        problems.add(new RowProblem(e.line(), e.id(), problem));
      } else {
        seen.add(e.id());
        valid.add(e);
        vs.add(vectors.get(i));
      }
    }
    listener.onProgress("index", entries.size(), entries.size(), "vectors given");
    if (instances != null && !valid.isEmpty()) {
      LOG.warn("catalog {}: {} products indexed from vectors have no local features (images not read); the '{}' "
          + "matcher finds them only by their global vectors", dir, valid.size(), matcher);
    }
    try (CatalogInstances.Staging none = new CatalogInstances.Staging(dir)) {
      return store(valid, vs, problems, none);
    }
  }

  private String validate(CatalogEntry e, Set<String> seen) {
    String p = validateFields(e, seen);
    if (p != null) {
      return p;
    }
    if (!Files.isRegularFile(e.image())) {
      return "image not found: " + e.image();
    }
    return null;
  }

  private String validateFields(CatalogEntry e, Set<String> seen) {
    if (e.id().isBlank()) {
      return "id is empty";
    }
    if (e.id().length() > MAX_ID_LENGTH) {
      return tooLong("id", e.id(), MAX_ID_LENGTH);
    }
    // the column sizes of commerce_products: a longer field would fail the whole commit
    if (e.category().trim().length() > MAX_CATEGORY_LENGTH) {
      return tooLong("category", e.category().trim(), MAX_CATEGORY_LENGTH);
    }
    if (e.title().length() > MAX_TEXT_LENGTH) {
      return tooLong("title", e.title(), MAX_TEXT_LENGTH);
    }
    if (e.link().length() > MAX_TEXT_LENGTH) {
      return tooLong("link", e.link(), MAX_TEXT_LENGTH);
    }
    if (e.image().toAbsolutePath().toString().length() > MAX_TEXT_LENGTH) {
      return tooLong("image path", e.image().toAbsolutePath().toString(), MAX_TEXT_LENGTH);
    }
    if (seen.contains(e.id())) {
      return "duplicate id '" + e.id() + "' (first occurrence kept)";
    }
    String c = e.category().trim();
    if (c.isEmpty()) {
      return "category is empty";
    }
    if (!CATEGORY.matcher(c).matches()) {
      return "malformed category '" + c + "' (expected words separated by '/')";
    }
    if (knownCategories != null && !isKnown(c)) {
      return "unknown category '" + c + "' (known: " + String.join(", ", new java.util.TreeSet<>(knownCategories)) + ")";
    }
    return null;
  }

  /**
   * @param dir a folder
   * @return whether it holds a product catalog (its {@code catalog.mv.db})
   */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(DB_FILE));
  }

  /**
   * Refuses to open (and so to create) a catalog in a folder that holds another store's database,
   * such as a describer store's {@code references.mv.db}, or, when {@code mustExist}, in a folder
   * without a catalog: nothing is written there.
   */
  private static void refuseForeignFolder(Path dir, boolean mustExist) {
    if (exists(dir)) {
      return;
    }
    List<String> foreign = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (java.util.stream.Stream<Path> s = Files.list(dir)) {
        s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".mv.db")).sorted().forEach(foreign::add);
      } catch (java.io.IOException e) {
        throw new StoreException(dir + ": cannot list the catalog folder: " + e.getMessage(), e);
      }
    } else if (Files.exists(dir)) {
      throw new StoreException(dir + ": not a folder, so not a product catalog");
    }
    if (!foreign.isEmpty()) {
      String what = foreign.contains("references.mv.db") ? " (a describer reference store)" : "";
      throw new StoreException(dir + ": not a product catalog: it holds " + String.join(", ", foreign) + what
          + " and no " + DB_FILE + "; use another folder for the catalog");
    }
    if (mustExist) {
      throw new StoreException(dir + ": not a product catalog (no " + DB_FILE
          + "); build one with 'sightline product index'");
    }
  }

  private static String tooLong(String field, String value, int limit) {
    return field + " is " + value.length() + " characters, over the limit of " + limit;
  }

  private boolean isKnown(String category) {
    String c = category.toLowerCase(Locale.ROOT);
    for (String k : knownCategories) {
      String kk = k.toLowerCase(Locale.ROOT);
      if (c.equals(kk) || c.startsWith(kk + "/")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes a run: instance features (before the commit), HNSW files, the database commit, then
   * stale instance entries are removed (after it); see {@link CatalogInstances} for why.
   */
  private synchronized IndexReport store(List<CatalogEntry> valid, List<float[]> vectors, List<RowProblem> problems,
      CatalogInstances.Staging staged) {
    Map<String, Product> existing = products(valid.stream().map(CatalogEntry::id).toList());
    Map<Intent, List<IndexItem<String>>> items = new EnumMap<>(Intent.class);
    Map<Intent, Integer> perSegment = new EnumMap<>(Intent.class);
    for (Intent s : SEGMENTS) {
      items.put(s, new ArrayList<>());
      perSegment.put(s, 0);
    }
    for (int i = 0; i < valid.size(); i++) {
      CatalogEntry e = valid.get(i);
      Intent s = e.segment();
      items.get(s).add(new IndexItem<>(e.id(), vectors.get(i), Map.of("category", e.category().trim())));
      perSegment.merge(s, 1, Integer::sum);
    }
    // validate every vector before touching anything stored
    for (Intent s : SEGMENTS) {
      for (IndexItem<String> it : items.get(s)) {
        io.sightline.core.index.Vectors.check(it.vector(), indexes.get(s).dimension());
      }
    }
    if (instances != null) {
      instances.add(staged);
    }
    java.util.EnumSet<Intent> changed = java.util.EnumSet.noneOf(Intent.class);
    for (Intent s : SEGMENTS) {
      HnswVectorIndex<String> idx = indexes.get(s);
      Intent other = s == Intent.APPAREL ? Intent.OTHER_COMMODITY : Intent.APPAREL;
      for (IndexItem<String> it : items.get(s)) {
        Product old = existing.get(it.id());
        if (old != null && old.segment() == other) {
          indexes.get(other).remove(it.id());
          changed.add(other);
        }
      }
      if (!items.get(s).isEmpty()) {
        addParallel(idx, items.get(s));
        changed.add(s);
      }
    }
    for (Intent s : SEGMENTS) {
      if (changed.contains(s) || !Files.exists(indexFile(s))) {
        indexes.get(s).save(indexFile(s));
      }
    }
    db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("MERGE INTO commerce_products (id, image, category, title, link, segment, "
          + "local_features, local_extent) KEY (id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        int n = 0;
        for (CatalogEntry e : valid) {
          ps.setString(1, e.id());
          ps.setString(2, e.image().toAbsolutePath().toString());
          ps.setString(3, e.category().trim());
          ps.setString(4, e.title());
          ps.setString(5, e.link());
          ps.setString(6, e.segment().label());
          CatalogInstances.Entry lf = staged.entry(e.id());
          if (lf == null) {
            ps.setNull(7, java.sql.Types.INTEGER);
            ps.setNull(8, java.sql.Types.VARCHAR);
          } else {
            ps.setInt(7, lf.keypoints());
            ps.setString(8, lf.extent());
          }
          ps.addBatch();
          if (++n % 1000 == 0) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      return null;
    });
    List<String> withoutLocal = new ArrayList<>();
    if (instances != null) {
      for (CatalogEntry e : valid) {
        boolean has = staged.entry(e.id()) != null;
        instances.removeExcept(e.id(), has ? e.segment() : null);
        if (!has) {
          withoutLocal.add(e.id());
        }
      }
    }
    int replaced = existing.size();
    int total = size();
    LOG.info("catalog {}: {} products stored ({} replaced, {} without local features), {} rows left out; {} in all",
        dir, valid.size(), replaced, withoutLocal.size(), problems.size(), total);
    return new IndexReport(valid.size(), replaced, perSegment, problems, total, matcher, withoutLocal);
  }

  /** Inserts into the HNSW graph from {@code indexThreads} threads (hnswlib supports concurrent inserts). */
  private void addParallel(HnswVectorIndex<String> idx, List<IndexItem<String>> items) {
    if (items.isEmpty()) {
      return;
    }
    if (indexThreads < 2 || items.size() < 2_000) {
      idx.addAll(items);
      return;
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(indexThreads, r -> {
      Thread t = new Thread(r, "commerce-index");
      t.setDaemon(true);
      return t;
    });
    try {
      java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < indexThreads; t++) {
        futures.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < items.size()) {
            IndexItem<String> it = items.get(i);
            idx.add(it.id(), it.vector(), it.attributes());
          }
        }));
      }
      for (java.util.concurrent.Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.sightline.core.CancelledException("indexing interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException re ? re : new StoreException("indexing failed: " + c, c);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Removes a product from the database and its index.
   *
   * @param id product id
   * @return whether it was stored
   */
  public synchronized boolean remove(String id) {
    Optional<Product> p = product(id);
    if (p.isEmpty()) {
      return false;
    }
    db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM commerce_products WHERE id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      return null;
    });
    HnswVectorIndex<String> idx = indexes.get(p.get().segment());
    idx.remove(id);
    idx.save(indexFile(p.get().segment()));
    if (instances != null) {
      instances.removeExcept(id, null);
    }
    return true;
  }

  /**
   * Saves an intent model into the catalog folder ({@code intent.model}), so that a searcher
   * opened on this folder finds it.
   *
   * @param model the trained model
   */
  public void saveIntentModel(EmbeddingIntentClassifier model) {
    model.save(intentModelFile());
  }

  /**
   * @param embedder the embedder the intent model was trained with
   * @return the intent model stored in the catalog folder, if any
   */
  public Optional<EmbeddingIntentClassifier> loadIntentModel(ImageEmbedder embedder) {
    Path f = intentModelFile();
    return Files.exists(f) ? Optional.of(EmbeddingIntentClassifier.load(f, embedder)) : Optional.empty();
  }

  /** @return where {@link #saveIntentModel} writes */
  public Path intentModelFile() {
    return dir.resolve("intent.model");
  }

  @Override
  public void close() {
    try {
      if (instances != null) {
        instances.close();
      }
    } finally {
      db.close();
    }
  }

  /** Builder for {@link ProductCatalog}. */
  public static final class Builder {
    private Path dir;
    private final Map<Intent, ImageEmbedder> embedders = new EnumMap<>(Intent.class);
    private Set<String> knownCategories;
    private ImageLoader loader = ImageLoader.defaults();
    private int m = 16;
    private int efConstruction = 200;
    private int ef = 100;
    private int indexThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private Matcher matcher;
    private boolean mustExist;

    private Builder() {}

    /**
     * @param mustExist true to refuse a folder that holds no catalog yet (for searching) instead
     *     of creating an empty catalog there
     * @return this
     */
    public Builder mustExist(boolean mustExist) {
      this.mustExist = mustExist;
      return this;
    }

    /**
     * Chooses how products are found (see {@link Matcher}). Applies to a new (empty) catalog,
     * which stores it; an existing catalog uses the matcher it was built with, and opening it
     * with another one is refused. Default: the stored matcher, {@link Matcher#DEFAULT} for a new
     * catalog.
     *
     * @param matcher global, local or hybrid
     * @return this builder
     */
    public Builder matcher(Matcher matcher) {
      this.matcher = Objects.requireNonNull(matcher, "matcher");
      return this;
    }

    /**
     * @param threads threads inserting into the vector index for large batches (default: the
     *     number of processors); 1 inserts sequentially
     * @return this builder
     */
    public Builder indexThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1");
      }
      this.indexThreads = threads;
      return this;
    }

    /**
     * @param dir the catalog folder (created when absent); required
     * @return this builder
     */
    public Builder directory(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Sets the recognition model of a segment (default: {@link GlobalDescriptorEmbedder} for both).
     *
     * @param segment {@link Intent#APPAREL} or {@link Intent#OTHER_COMMODITY}
     * @param embedder its embedder
     * @return this builder
     */
    public Builder embedder(Intent segment, ImageEmbedder embedder) {
      embedders.put(checkSegment(segment), Objects.requireNonNull(embedder, "embedder"));
      return this;
    }

    /**
     * Restricts categories: a row is accepted when its category equals one of these or lies
     * below one ({@code apparel} accepts {@code apparel/shoes}); others are reported as unknown.
     *
     * @param categories the known categories
     * @return this builder
     */
    public Builder knownCategories(Collection<String> categories) {
      this.knownCategories = new LinkedHashSet<>(categories);
      return this;
    }

    /**
     * @param loader decodes product images (default {@link ImageLoader#defaults()})
     * @return this builder
     */
    public Builder imageLoader(ImageLoader loader) {
      this.loader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /**
     * HNSW parameters for new indexes (defaults 16, 200, 100); {@code ef} also applies to loaded ones.
     *
     * @param m graph degree
     * @param efConstruction build-time candidate list
     * @param ef search-time candidate list
     * @return this builder
     */
    public Builder hnsw(int m, int efConstruction, int ef) {
      if (m < 2 || efConstruction < 1 || ef < 1) {
        throw new IllegalArgumentException("m >= 2, efConstruction >= 1, ef >= 1 required");
      }
      this.m = m;
      this.efConstruction = efConstruction;
      this.ef = ef;
      return this;
    }

    /**
     * Opens the catalog in the folder, creating it when empty.
     *
     * @return the catalog
     * @throws IllegalStateException when no folder was given
     * @throws IncompatibleFormatException when the folder was built with other embedders, another
     *     {@link Builder#matcher matcher}, another local-feature extractor, or by a newer Sightline
     * @throws StoreException when an index file is corrupt, or missing although the database
     *     lists products for it; when the folder holds another store's database (such as a
     *     describer store's {@code references.mv.db}) and no catalog; or, with
     *     {@link #mustExist(boolean)}, when it holds no catalog
     */
    public ProductCatalog open() {
      if (dir == null) {
        throw new IllegalStateException("ProductCatalog: directory is required");
      }
      for (Intent s : SEGMENTS) {
        embedders.computeIfAbsent(s, x -> new GlobalDescriptorEmbedder());
      }
      return new ProductCatalog(this);
    }
  }
}
