package io.sightline.crossmodal;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Turns texts and image features into the model's input arrays, applies the masks of the
 * masking task, and builds the targets. Thread-safe (immutable after construction).
 */
final class InputEncoder {
  /** Least cosine similarity for an unlabelled object to take the nearest standard text. */
  static final double SEED_MIN_SIMILARITY = 0.8;

  final ModelConfig cfg;
  final Vocabulary vocab;
  final TextTokenizer tokenizer;
  final SeedLibrary seeds;
  final boolean useSeeds;
  private final float[][] unitSeedImage;
  /** Per image features: seed-library units and label unit of each object (identity keyed). */
  private final Map<ImageFeatures, int[][]> objectCache =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
  private final Map<ImageFeatures, int[]> labelCache =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
  private static final int CACHE_LIMIT = 100_000;

  InputEncoder(ModelConfig cfg, Vocabulary vocab, TextTokenizer tokenizer, SeedLibrary seeds,
      boolean useSeeds) {
    this.cfg = cfg;
    this.vocab = vocab;
    this.tokenizer = tokenizer;
    this.seeds = seeds;
    this.useSeeds = useSeeds && !seeds.isEmpty();
    this.unitSeedImage = new float[vocab.size()][];
    if (this.useSeeds) {
      Map<String, float[]> sums = new HashMap<>();
      for (String std : seeds.standardTexts()) {
        float[] c = seeds.standardImage(std).orElseThrow();
        for (TextUnit u : tokenizer.tokenize(std)) {
          float[] s = sums.computeIfAbsent(u.token(), k -> new float[cfg.visualDim()]);
          for (int i = 0; i < s.length; i++) {
            s[i] += c[i];
          }
        }
      }
      for (Map.Entry<String, float[]> e : sums.entrySet()) {
        if (vocab.contains(e.getKey())) {
          unitSeedImage[vocab.id(e.getKey())] = io.sightline.core.index.Vectors.normalized(e.getValue());
        }
      }
    }
  }

  /** The units of a text; refuses an empty text and one without any unit the vocabulary knows. */
  Text checkedText(String text) {
    if (text == null || text.isBlank()) {
      throw new io.sightline.core.InputFormatException(null, 0, "text is empty");
    }
    Text t = text(text);
    if (t.length() == 0) {
      throw new io.sightline.core.InputFormatException(null, 0, "text has no text units: \"" + text + "\"");
    }
    return t;
  }

  /** A tokenised text: unit ids and the word of each unit, cut at maxTextUnits. */
  record Text(int[] ids, int[] words, List<String> tokens) {
    int length() {
      return ids.length;
    }
  }

  Text text(String s) {
    List<TextUnit> units = tokenizer.tokenize(s);
    int n = Math.min(units.size(), cfg.maxTextUnits());
    int[] ids = new int[n];
    int[] words = new int[n];
    List<String> toks = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids[i] = vocab.id(units.get(i).token());
      words[i] = units.get(i).word();
      toks.add(units.get(i).token());
    }
    return new Text(ids, words, toks);
  }

  /** Object label as a unit id (first unit of the label), or -1 when unknown. */
  int labelUnit(ImageFeatures img, int obj) {
    int[] cached = labelCache.get(img);
    if (cached == null) {
      cached = new int[img.size()];
      for (int i = 0; i < cached.length; i++) {
        cached[i] = computeLabelUnit(img, i);
      }
      if (labelCache.size() > CACHE_LIMIT) {
        labelCache.clear();
      }
      labelCache.put(img, cached);
    }
    return cached[obj];
  }

  private int computeLabelUnit(ImageFeatures img, int obj) {
    String label = img.objects().get(obj).label();
    if (label == null && useSeeds) {
      label = seeds.standardTextFor(null, img.visual()[obj], SEED_MIN_SIMILARITY).orElse(null);
    }
    if (label == null) {
      return -1;
    }
    for (TextUnit u : tokenizer.tokenize(label)) {
      int id = vocab.id(u.token());
      return id == Vocabulary.UNK ? -1 : id;
    }
    return -1;
  }

  /**
   * One row of a batch.
   *
   * @param ids text unit ids as fed (masked units replaced by MASK)
   * @param textTargets original unit id where the unit is masked, else -1
   * @param img image features
   * @param objMasked which objects are replaced by the image mask
   * @param matched whether text and image match (1) or not (0)
   * @param lossWeight weight of the masking losses for this row (0 for negatives)
   * @param matchWeight weight of the matching loss for this row (0 for masked rows, so the
   *     presence of a mask never tells the matching head anything)
   */
  record Row(int[] ids, int[] textTargets, ImageFeatures img, boolean[] objMasked, boolean matched,
      float lossWeight, float matchWeight) {}

  /** A row without masks (inference). */
  Row plain(Text t, ImageFeatures img) {
    int[] targets = new int[t.length()];
    java.util.Arrays.fill(targets, -1);
    return new Row(t.ids().clone(), targets, img, new boolean[objects(img)], true, 0f, 1f);
  }

  int objects(ImageFeatures img) {
    return Math.min(img.size(), cfg.maxObjects());
  }

  /** Masks whole words: a span of consecutive words or scattered words (seed [0067]). */
  int[] maskText(Text t, double probability, double spanProbability, Random rnd, int[] targets) {
    int[] ids = t.ids().clone();
    java.util.Arrays.fill(targets, -1);
    if (t.length() == 0) {
      return ids;
    }
    int words = t.words()[t.length() - 1] + 1;
    int k = Math.max(1, (int) Math.round(probability * words));
    k = Math.min(k, words);
    boolean[] chosen = new boolean[words];
    if (rnd.nextDouble() < spanProbability) {
      int start = rnd.nextInt(words - k + 1);
      for (int w = start; w < start + k; w++) {
        chosen[w] = true;
      }
    } else {
      int c = 0;
      while (c < k) {
        int w = rnd.nextInt(words);
        if (!chosen[w]) {
          chosen[w] = true;
          c++;
        }
      }
    }
    for (int i = 0; i < ids.length; i++) {
      if (chosen[t.words()[i]]) {
        targets[i] = ids[i];
        ids[i] = Vocabulary.MASK;
      }
    }
    return ids;
  }

  /** Picks objects to mask: an overlapping group, or one isolated object (claim 3). */
  boolean[] maskObjects(ImageFeatures img, ObjectMasking mode, Random rnd) {
    int n = objects(img);
    boolean[] masked = new boolean[n];
    if (n == 1) {
      masked[0] = true;
      return masked;
    }
    List<List<Integer>> groups = new ArrayList<>();
    List<Integer> isolated = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      List<Integer> g = new ArrayList<>();
      g.add(i);
      for (int j = 1; j < n; j++) {
        if (j != i && overlaps(img, i, j)) {
          g.add(j);
        }
      }
      if (g.size() > 1) {
        groups.add(g);
      } else {
        isolated.add(i);
      }
    }
    boolean group = switch (mode) {
      case OVERLAPPING_GROUP -> !groups.isEmpty();
      case ISOLATED -> isolated.isEmpty();
      case AUTO -> !groups.isEmpty() && (isolated.isEmpty() || rnd.nextBoolean());
    };
    if (group) {
      for (int i : groups.get(rnd.nextInt(groups.size()))) {
        masked[i] = true;
      }
    } else if (!isolated.isEmpty()) {
      masked[isolated.get(rnd.nextInt(isolated.size()))] = true;
    } else {
      masked[1 + rnd.nextInt(n - 1)] = true;
    }
    return masked;
  }

  private static boolean overlaps(ImageFeatures img, int i, int j) {
    return img.objects().get(i).box().intersection(img.objects().get(j).box()).area() > 0;
  }

  /** Seed-library standard text units for an object (claim 7); empty when none. */
  int[] seedTextUnits(ImageFeatures img, int obj) {
    int[][] cached = objectCache.get(img);
    if (cached == null) {
      cached = new int[img.size()][];
      for (int i = 0; i < cached.length; i++) {
        cached[i] = computeSeedTextUnits(img, i);
      }
      if (objectCache.size() > CACHE_LIMIT) {
        objectCache.clear();
      }
      objectCache.put(img, cached);
    }
    return cached[obj];
  }

  private int[] computeSeedTextUnits(ImageFeatures img, int obj) {
    if (!useSeeds) {
      return new int[0];
    }
    Optional<String> std = seeds.standardTextFor(img.objects().get(obj).label(), img.visual()[obj],
        SEED_MIN_SIMILARITY);
    if (std.isEmpty()) {
      return new int[0];
    }
    List<Integer> ids = new ArrayList<>();
    for (TextUnit u : tokenizer.tokenize(std.get())) {
      int id = vocab.id(u.token());
      if (id != Vocabulary.UNK && ids.size() < cfg.seedTextUnits()) {
        ids.add(id);
      }
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Which part of a row the model sees. */
  enum View {
    /** Text and image together (masking and matching). */
    JOINT,
    /**
     * The text alone (contrastive text embedding): the sequence is the CLS and the text positions
     * only ({@link #inputs(NDManager, List, View)}: attention {@code [B,1+T,1+T]}).
     */
    TEXT,
    /**
     * The image alone (contrastive image embedding): the sequence is the CLS and the object
     * positions only (attention {@code [B,1+O,1+O]}).
     */
    IMAGE
  }

  /** Inputs for the block. */
  NDList inputs(NDManager m, List<Row> rows) {
    return inputs(m, rows, View.JOINT);
  }

  /**
   * Inputs for the block, showing the model only the given view of each row. A TEXT or IMAGE view
   * is trimmed to the positions it shows (CLS + text, or CLS + objects; the attention is that
   * long) and must go through the block's embeddings-only pass for that view; the other part's
   * arrays are there, unused.
   */
  NDList inputs(NDManager m, List<Row> rows, View view) {
    return inputs(m, rows, view, true);
  }

  /**
   * @param trimmed false: a TEXT or IMAGE view keeps the whole joint layout with the other part's
   *     positions as padding (the reference the trimmed passes are tested against)
   */
  NDList inputs(NDManager m, List<Row> rows, View view, boolean trimmed) {
    int b = rows.size();
    int t = cfg.maxTextUnits();
    int o = cfg.maxObjects();
    int dv = cfg.visualDim();
    int l = cfg.seedTextUnits();
    int s = cfg.sequenceLength();
    int[] ids = new int[b * t];
    int[] pos = new int[b * t];
    float[] seedImg = new float[b * t * dv];
    float[] vis = new float[b * o * dv];
    float[] spa = new float[b * o * ImageFeatures.SPATIAL_DIM];
    float[] objMask = new float[b * o];
    int[] seedText = new int[b * o * l];
    float[] seedWeight = new float[b * o * l];
    // the positions the pass shows: all (joint, or an untrimmed view), or CLS + one part
    int[] shown;
    if (trimmed && view == View.TEXT) {
      shown = new int[1 + t];
    } else if (trimmed && view == View.IMAGE) {
      shown = new int[1 + o];
    } else {
      shown = new int[s];
    }
    for (int i = 0; i < shown.length; i++) {
      shown[i] = trimmed && view == View.IMAGE && i > 0 ? t + i : i;
    }
    int a = shown.length;
    float[] att = new float[b * a * a];
    for (int r = 0; r < b; r++) {
      Row row = rows.get(r);
      boolean[] valid = new boolean[s];
      valid[0] = true;
      for (int i = 0; view != View.IMAGE && i < row.ids().length && i < t; i++) {
        int id = row.ids()[i];
        ids[r * t + i] = id;
        pos[r * t + i] = i + 2;
        valid[1 + i] = true;
        float[] si = id < unitSeedImage.length ? unitSeedImage[id] : null;
        if (si != null) {
          System.arraycopy(si, 0, seedImg, (r * t + i) * dv, dv);
        }
      }
      int n = view == View.TEXT ? 0 : objects(row.img());
      for (int j = 0; j < n; j++) {
        System.arraycopy(row.img().visual()[j], 0, vis, (r * o + j) * dv, dv);
        System.arraycopy(row.img().spatial()[j], 0, spa, (r * o + j) * ImageFeatures.SPATIAL_DIM,
            ImageFeatures.SPATIAL_DIM);
        valid[1 + t + j] = true;
        if (row.objMasked()[j]) {
          objMask[r * o + j] = 1f;
        } else {
          int[] st = seedTextUnits(row.img(), j);
          for (int k = 0; k < st.length; k++) {
            seedText[(r * o + j) * l + k] = st[k];
            seedWeight[(r * o + j) * l + k] = 1f / st.length;
          }
        }
      }
      for (int q = 0; q < a; q++) {
        for (int k = 0; k < a; k++) {
          att[(r * a + q) * a + k] = valid[shown[k]] ? 1f : 0f;
        }
      }
    }
    return new NDList(
        m.create(IntBuffer.wrap(ids), new Shape(b, t)),
        m.create(IntBuffer.wrap(pos), new Shape(b, t)),
        m.create(FloatBuffer.wrap(seedImg), new Shape(b, t, dv)),
        m.create(FloatBuffer.wrap(vis), new Shape(b, o, dv)),
        m.create(FloatBuffer.wrap(spa), new Shape(b, o, ImageFeatures.SPATIAL_DIM)),
        m.create(FloatBuffer.wrap(objMask), new Shape(b, o)),
        m.create(IntBuffer.wrap(seedText), new Shape(b, o, l)),
        m.create(FloatBuffer.wrap(seedWeight), new Shape(b, o, l)),
        m.create(FloatBuffer.wrap(att), new Shape(b, a, a)));
  }

  /**
   * Targets: textTarget [B,T] (long), textWeight [B,T], objLabel [B,O] (long), objLabelWeight
   * [B,O], objFeatWeight [B,O], match [B], matchWeight [B]; then the same unit targets listed by
   * position, for a unit head computed only where a target is ({@link CrossModalBlock}): unitPos [N]
   * (long, flat index b*S + position), unitTarget [N] (long), unitTextWeight [N], unitObjWeight [N].
   * N is at least 1 (a batch without unit targets lists position 0 with weight 0).
   */
  NDList targets(NDManager m, List<Row> rows) {
    int b = rows.size();
    int t = cfg.maxTextUnits();
    int o = cfg.maxObjects();
    long[] tt = new long[b * t];
    float[] tw = new float[b * t];
    long[] ol = new long[b * o];
    float[] olw = new float[b * o];
    float[] ofw = new float[b * o];
    float[] match = new float[b];
    float[] matchWeight = new float[b];
    for (int r = 0; r < b; r++) {
      Row row = rows.get(r);
      match[r] = row.matched() ? 1f : 0f;
      matchWeight[r] = row.matchWeight();
      for (int i = 0; i < row.textTargets().length && i < t; i++) {
        if (row.textTargets()[i] >= 0) {
          tt[r * t + i] = row.textTargets()[i];
          tw[r * t + i] = row.lossWeight();
        }
      }
      int n = objects(row.img());
      for (int j = 0; j < n; j++) {
        if (row.objMasked()[j]) {
          ofw[r * o + j] = row.lossWeight();
          int lab = labelUnit(row.img(), j);
          if (lab >= 0) {
            ol[r * o + j] = lab;
            olw[r * o + j] = row.lossWeight();
          }
        }
      }
    }
    int s = cfg.sequenceLength();
    java.util.List<long[]> units = new java.util.ArrayList<>(); // position, target
    java.util.List<float[]> weights = new java.util.ArrayList<>(); // text weight, object weight
    for (int r = 0; r < b; r++) {
      for (int i = 0; i < t; i++) {
        if (tw[r * t + i] > 0) {
          units.add(new long[] {(long) r * s + 1 + i, tt[r * t + i]});
          weights.add(new float[] {tw[r * t + i], 0f});
        }
      }
      for (int j = 0; j < o; j++) {
        if (olw[r * o + j] > 0) {
          units.add(new long[] {(long) r * s + 1 + t + j, ol[r * o + j]});
          weights.add(new float[] {0f, olw[r * o + j]});
        }
      }
    }
    if (units.isEmpty()) {
      units.add(new long[] {0, 0});
      weights.add(new float[] {0f, 0f});
    }
    int n = units.size();
    long[] pos = new long[n];
    long[] target = new long[n];
    float[] textW = new float[n];
    float[] objW = new float[n];
    for (int k = 0; k < n; k++) {
      pos[k] = units.get(k)[0];
      target[k] = units.get(k)[1];
      textW[k] = weights.get(k)[0];
      objW[k] = weights.get(k)[1];
    }
    return new NDList(m.create(tt, new Shape(b, t)), m.create(tw, new Shape(b, t)),
        m.create(ol, new Shape(b, o)), m.create(olw, new Shape(b, o)), m.create(ofw, new Shape(b, o)),
        m.create(match, new Shape(b)), m.create(matchWeight, new Shape(b)),
        m.create(pos, new Shape(n)), m.create(target, new Shape(n)), m.create(textW, new Shape(n)),
        m.create(objW, new Shape(n)));
  }
}
