package io.sightline.benchmarks;

import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generated instance-recognition data set: stored reference objects, and "new shots" of them
 * (the object in another photo: scaled, rotated, in perspective, partly covered, under other
 * light, blurred, JPEG-compressed; see {@link ShotSynth}), new shots of objects that were never
 * stored (the right answer is none), and near-copies of the references (the old kind of query).
 *
 * <p>References are openclipart drawings rendered on white (longest side {@link Config#refSide()})
 * and square crops of photos ({@link Config#photoSide()}); see {@link ObjectSources} for the
 * sources and their licences. There are two splits, {@code tune} and {@code test}, with different
 * seeds, different objects and different background photos; the references of a split are the
 * objects its known queries show plus distractors that no query shows. Everything is
 * deterministic in {@link Config#seed()}; each query's parameters are recorded.
 *
 * <pre>
 * NewShotDataset ds = new NewShotDataset(NewShotDataset.Config.defaults());
 * NewShotDataset.Split test = ds.split("test");
 * NewShotDatasetIo.write(test, Path.of("target/newshot/test"));   // refs/, queries/, manifest.jsonl
 * </pre>
 */
public final class NewShotDataset {
  private static final Logger LOG = LoggerFactory.getLogger(NewShotDataset.class);

  /** What a query shows. */
  public enum Kind {
    /** A new shot of a stored object. */
    KNOWN,
    /** A new shot of an object that is not stored: the right answer is none. */
    UNKNOWN,
    /** A stored reference, slightly cut, resized and re-encoded. */
    NEAR_COPY
  }

  /**
   * Sizes and seed of a data set.
   *
   * @param refs references per split (queried objects plus distractors)
   * @param known new shots of stored objects per split (one per object while there are enough)
   * @param unknown new shots of objects never stored, per split
   * @param nearCopies near-copy queries per split
   * @param photoShare share of photo crops among the objects (the rest are drawings)
   * @param refSide longest side of a drawing's reference
   * @param photoSide side of a photo crop
   * @param minBytes smallest drawing file accepted
   * @param seed master seed
   * @param ranges parameter ranges of the new shots
   */
  public record Config(int refs, int known, int unknown, int nearCopies, double photoShare, int refSide,
      int photoSide, long minBytes, long seed, ShotSynth.Ranges ranges) {
    /** @return 300 references, 200 known, 100 unknown and 100 near-copy queries per split */
    public static Config defaults() {
      return new Config(300, 200, 100, 100, 0.1, 512, 240, 20_000, 20240611L, ShotSynth.Ranges.defaults());
    }

    /**
     * @param args {@code key=value} overrides of the defaults: refs, known, unknown, near,
     *     photoShare, minBytes, seed (other keys are ignored)
     * @return the configuration
     */
    public static Config parse(Map<String, String> args) {
      Config d = defaults();
      return new Config(Integer.parseInt(args.getOrDefault("refs", "" + d.refs())),
          Integer.parseInt(args.getOrDefault("known", "" + d.known())),
          Integer.parseInt(args.getOrDefault("unknown", "" + d.unknown())),
          Integer.parseInt(args.getOrDefault("near", "" + d.nearCopies())),
          Double.parseDouble(args.getOrDefault("photoShare", "" + d.photoShare())), d.refSide(), d.photoSide(),
          Long.parseLong(args.getOrDefault("minBytes", "" + d.minBytes())),
          Long.parseLong(args.getOrDefault("seed", "" + d.seed())), d.ranges());
    }
  }

  /**
   * A stored reference.
   *
   * @param id reference id
   * @param kind {@code clipart} or {@code photo}
   * @param queried whether some known query shows it (false: a distractor)
   * @param image the image to store
   */
  public record Reference(String id, String kind, boolean queried, BufferedImage image) {}

  /**
   * A query.
   *
   * @param id query id
   * @param kind what it shows
   * @param expected the reference id to find, or null (unknown object)
   * @param object the object shown (for unknown queries an id that is not stored)
   * @param params the drawn generation parameters
   * @param jpeg the encoded query image
   */
  public record Query(String id, Kind kind, String expected, String object, Map<String, Object> params, byte[] jpeg) {
    /** @return the decoded query image (RGB) */
    public BufferedImage image() {
      return ImageLoader.defaults().load(jpeg);
    }
  }

  /**
   * One split.
   *
   * @param name {@code tune} or {@code test}
   * @param refs the references to store
   * @param queries known, unknown and near-copy queries
   * @param seconds generation time
   */
  public record Split(String name, List<Reference> refs, List<Query> queries, double seconds) {
    /**
     * @param kind a kind
     * @return the queries of that kind
     */
    public List<Query> queries(Kind kind) {
      return queries.stream().filter(q -> q.kind() == kind).toList();
    }
  }

  private final Config config;

  /** @param config sizes and seed */
  public NewShotDataset(Config config) {
    this.config = config;
  }

  /** @return the configuration */
  public Config config() {
    return config;
  }

  /**
   * Generates a split.
   *
   * @param name {@code tune} or {@code test}
   * @return the split
   * @throws IOException when a source package cannot be found or fetched
   */
  public Split split(String name) throws IOException {
    int part = switch (name) {
      case "tune" -> 0;
      case "test" -> 1;
      default -> throw new IllegalArgumentException("split must be tune or test: " + name);
    };
    long t0 = System.nanoTime();
    long seed = config.seed() * 1_000_003L + part;
    Random rnd = new Random(seed);
    ImageLoader loader = ImageLoader.defaults();
    List<ShotSynth.Photo> backgrounds = ObjectSources.backgrounds(part, loader);
    List<ShotSynth.Photo> objectPhotos = ObjectSources.objectPhotos(loader);

    List<ObjectSources.Obj> crops = new ArrayList<>();
    for (int i = 0; i < objectPhotos.size(); i++) {
      crops.addAll(ObjectSources.photoCrops(objectPhotos.get(i), part, config.photoSide(), new Random(seed + 17 * i)));
    }
    Collections.shuffle(crops, rnd);
    int photoRefs = (int) Math.round(config.refs() * config.photoShare());
    int photoUnknown = (int) Math.round(config.unknown() * config.photoShare());
    if (crops.size() < photoRefs + photoUnknown) {
      LOG.warn("only {} textured photo crops for split {}; the rest are drawings", crops.size(), name);
      photoRefs = crops.size() * photoRefs / Math.max(1, photoRefs + photoUnknown);
      photoUnknown = crops.size() - photoRefs;
    }
    int clipRefs = config.refs() - photoRefs;
    int clipUnknown = config.unknown() - photoUnknown;
    double tPhotos = (System.nanoTime() - t0) / 1e9;
    List<ObjectSources.Obj> clips = drawings(part, clipRefs + clipUnknown, loader);
    double tDrawings = (System.nanoTime() - t0) / 1e9 - tPhotos;
    if (clips.size() < clipRefs + clipUnknown) {
      throw new IOException("only " + clips.size() + " usable drawings for split " + name + ", need "
          + (clipRefs + clipUnknown));
    }
    List<ObjectSources.Obj> stored = new ArrayList<>(clips.subList(0, clipRefs));
    stored.addAll(crops.subList(0, photoRefs));
    Collections.shuffle(stored, rnd);
    List<ObjectSources.Obj> unseen = new ArrayList<>(clips.subList(clipRefs, clipRefs + clipUnknown));
    unseen.addAll(crops.subList(photoRefs, photoRefs + photoUnknown));
    Collections.shuffle(unseen, rnd);

    int knownObjects = Math.min(config.known(), stored.size());
    List<Reference> refs = new ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      ObjectSources.Obj o = stored.get(i);
      refs.add(new Reference(o.id(), o.kind(), i < knownObjects, o.reference()));
    }
    int nk = knownObjects == 0 ? 0 : config.known();
    int nu = unseen.isEmpty() ? 0 : config.unknown();
    int nn = stored.isEmpty() ? 0 : config.nearCopies();
    List<Query> queries = IntStream.range(0, nk + nu + nn).parallel().mapToObj(i -> {
      Kind kind = i < nk ? Kind.KNOWN : i < nk + nu ? Kind.UNKNOWN : Kind.NEAR_COPY;
      int j = kind == Kind.KNOWN ? i : kind == Kind.UNKNOWN ? i - nk : i - nk - nu;
      Random r = new Random(seed * 31 + 7919L * i);
      ObjectSources.Obj o = switch (kind) {
        case KNOWN -> stored.get(j % knownObjects);
        case UNKNOWN -> unseen.get(j % unseen.size());
        case NEAR_COPY -> stored.get(j % stored.size());
      };
      ShotSynth.Shot shot = kind == Kind.NEAR_COPY ? ShotSynth.nearCopy(o.reference(), r)
          : ShotSynth.newShot(o.object(), backgrounds, config.ranges(), r);
      shot.params().put("object_kind", o.kind());
      String id = String.format("%s-%s-%04d", name, kind.name().toLowerCase().replace('_', '-'), j);
      return new Query(id, kind, kind == Kind.UNKNOWN ? null : o.id(), o.id(), shot.params(), shot.jpeg());
    }).toList();
    double seconds = (System.nanoTime() - t0) / 1e9;
    LOG.info("split {}: {} references ({} photo crops), {} queries in {} s (photos {} s, drawings {} s, queries {} s)",
        name, refs.size(), photoRefs, queries.size(), String.format("%.1f", seconds), String.format("%.1f", tPhotos),
        String.format("%.1f", tDrawings), String.format("%.1f", seconds - tPhotos - tDrawings));
    return new Split(name, List.copyOf(refs), queries, seconds);
  }

  /** Vets drawings of this split in parallel chunks, in order, until {@code n} distinct ones are found. */
  private List<ObjectSources.Obj> drawings(int part, int n, ImageLoader loader) throws IOException {
    Path root = ObjectSources.clipartRoot();
    List<Path> files = ObjectSources.clipartFiles(part, config.minBytes());
    List<ObjectSources.Obj> out = new ArrayList<>();
    List<Long> hashes = new ArrayList<>();
    int chunk = 32;
    int start = 0;
    for (; start < files.size() && out.size() < n; start += chunk) {
      List<Optional<ObjectSources.Obj>> got = files.subList(start, Math.min(files.size(), start + chunk))
          .parallelStream().map(f -> ObjectSources.clipart(root, f, config.refSide(), loader)).toList();
      for (Optional<ObjectSources.Obj> o : got) {
        if (o.isEmpty() || out.size() == n) {
          continue;
        }
        long h = PerceptualHash.hash(o.get().reference());
        if (hashes.stream().noneMatch(x -> PerceptualHash.distance(x, h) <= 6)) { // drop near-duplicate drawings
          hashes.add(h);
          out.add(o.get());
        }
      }
    }
    LOG.info("drawings: {} accepted of the first {} of {} files", out.size(), Math.min(start, files.size()), files.size());
    return out;
  }

  /**
   * Writes a split to a folder ({@code refs/*.png}, {@code queries/*.jpg}, {@code manifest.jsonl}).
   *
   * <pre>
   * java -cp ... io.sightline.benchmarks.NewShotDataset [split=test] [out=target/newshot/SPLIT]
   *     [refs=300] [known=200] [unknown=100] [near=100] [photoShare=0.1] [minBytes=20000] [seed=20240611]
   * </pre>
   *
   * @param args {@code key=value} arguments
   * @throws IOException on failure
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> a = InstanceEvaluation.arguments(args);
    String name = a.getOrDefault("split", "test");
    Path out = Path.of(a.getOrDefault("out", "target/newshot/" + name));
    Split s = new NewShotDataset(Config.parse(a)).split(name);
    NewShotDatasetIo.write(s, out);
    System.out.printf("split %s: %d references, %d known, %d unknown, %d near-copy queries, generated in %.1f s; written to %s%n",
        name, s.refs().size(), s.queries(Kind.KNOWN).size(), s.queries(Kind.UNKNOWN).size(),
        s.queries(Kind.NEAR_COPY).size(), s.seconds(), out.toAbsolutePath());
  }
}
