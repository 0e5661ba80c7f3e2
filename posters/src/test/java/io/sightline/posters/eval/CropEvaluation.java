package io.sightline.posters.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.CascadeFaceDetector;
import io.sightline.posters.CropPlanner;
import io.sightline.posters.CropSearch;
import io.sightline.posters.ImageAnalysis;
import io.sightline.posters.ImportanceMap;
import io.sightline.posters.OpenCvSaliency;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Crop quality where the truth is known (issue #6, BENCHMARKS.md "posters"):
 *
 * <ul>
 *   <li>"subjects": an Open Clip Art PNG composited (alpha) at a random place and size on a
 *       1280x720 public-domain photo; truth = the clip's opaque bounding box. Reported: mean share
 *       of the subject box kept in the crop, and share of crops keeping the whole subject.</li>
 *   <li>"faces": 1–2 copies of the astronaut's head (NASA, public domain) pasted at random places
 *       and sizes; truth = the face boxes. Reported: share of crops keeping every face whole and
 *       mean share of face area kept.</li>
 *
 *   <li>"photo-subjects" ({@code --photo-subjects}): a rectangular crop of another photo, 0.2–0.5
 *       of the frame height on its longer side, pasted with its centre outside the middle fifth of
 *       the width; truth = the pasted rectangle.</li>
 * </ul>
 *
 * <p>Methods, on the same images in one run: centre crop; smartcrop.js 2.0.5 (npm
 * {@code smartcrop}, run under node on the same pixels); the old composer (seed centre rules,
 * every Haar hit a face; spectral residual, and fine-grained unless {@code --only-new}); the new
 * composer (issue 13: verified faces, importance map, crop search), with and without fine-grained
 * saliency in the map. The old methods and smartcrop take the full height (or width) at the target
 * aspect; the crop search may also take 0.9 or 0.8 of it. {@code --timing N} times analysis + crop
 * on N photos scaled to 1920x1080.
 *
 * <p>Run: {@code mvn -B -o -q -pl posters test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.sightline.posters.eval.CropEvaluation -Dexec.args="--n 150 --seed 1"}, or
 * without the exec plugin: {@code cd posters && mvn -B -q -o dependency:build-classpath
 * -Dmdep.outputFile=/tmp/posters.cp -Dmdep.includeScope=test && java -Djava.awt.headless=true -cp
 * target/test-classes:target/classes:$(cat /tmp/posters.cp) io.sightline.posters.eval.CropEvaluation
 * --n 150 --seed 1 --only-new --photo-subjects --timing 20}.
 * Needs node and npm for the smartcrop baseline (it installs {@code smartcrop} into
 * {@code /tmp/smartcrop/}, or {@code -Dsmartcrop.dir=...}, with {@code npm install}); without them
 * that column is skipped. Options: {@code --no-smartcrop}, {@code --only-new} (old = spectral
 * residual only), {@code --timing N} (1080p photos timed, 0 = none), {@code --regions} (also the
 * default plus the subject-region term).
 */
public final class CropEvaluation {
  private static final int W = 1280;
  private static final int H = 720;
  private static final int[] FACE_IN_HEAD = {47, 47, 93, 93}; // astronaut face inside the 190x190 head crop

  /**
   * A scene.
   *
   * @param set which generator made it
   * @param image the scene
   * @param truth the boxes that must be kept
   * @param visibility share of the subject box whose pixels the pasted subject changed clearly (by
   *     more than {@value #CLEAR_CHANGE} levels in some channel); 1 for face scenes and real photos
   */
  record Sample(String set, BufferedImage image, List<Box> truth, double visibility, String background) {
    Sample(String set, BufferedImage image, List<Box> truth) {
      this(set, image, truth, 1.0, "");
    }

    Sample(String set, BufferedImage image, List<Box> truth, double visibility) {
      this(set, image, truth, visibility, "");
    }

    /** @return the mean share of the truth boxes inside the crop */
    double keptBy(Box crop) {
      double f = 0;
      for (Box t : truth) {
        f += crop.intersection(t).area() / t.area() / truth.size();
      }
      return f;
    }

    /** @return whether every truth box lies inside the crop (at least 0.999 of it) */
    boolean wholeIn(Box crop) {
      return truth.stream().allMatch(t -> crop.intersection(t).area() / t.area() >= 0.999);
    }

    /** @return whether the scene's background photo shows a subject of its own ({@link EvalData#WITH_OWN_SUBJECT}) */
    boolean backgroundWithOwnSubject() {
      return EvalData.WITH_OWN_SUBJECT.contains(background);
    }

    /** @return whether the subject is visible: at least {@value #VISIBLE} of its box clearly changed */
    boolean visible() {
      return visibility >= VISIBLE;
    }
  }

  /** A change of a channel by more than this many levels is clearly visible. */
  static final int CLEAR_CHANGE = 32;
  /**
   * A pasted subject counts as visible when at least this share of its box changed clearly (fixed
   * before looking at any method's crops: a drawing drawn in the background's own colours, or of
   * hairlines only, cannot be found by looking at the scene).
   */
  static final double VISIBLE = 0.10;

  /** Share of the box's pixels that differ by more than {@link #CLEAR_CHANGE} in some channel. */
  static double visibility(BufferedImage before, BufferedImage after, int x, int y, int w, int h) {
    int changed = 0;
    for (int yy = y; yy < y + h; yy++) {
      for (int xx = x; xx < x + w; xx++) {
        int a = before.getRGB(xx, yy);
        int b = after.getRGB(xx, yy);
        int d = 0;
        for (int sh = 0; sh <= 16; sh += 8) {
          d = Math.max(d, Math.abs(((a >> sh) & 255) - ((b >> sh) & 255)));
        }
        changed += d > CLEAR_CHANGE ? 1 : 0;
      }
    }
    return changed / (double) Math.max(1, w * h);
  }

  static final String PREVIOUS = "previous default (" + io.sightline.posters.PosterComposer.DEFAULT_ANALYSIS_SIDE
      + " px analysis, map without the surround and border terms)";
  static final String SURROUND = "fifth part's default (surround/border map, no uniqueness weighting, "
      + io.sightline.posters.PosterComposer.DEFAULT_ANALYSIS_SIDE + " px analysis)";
  static final String FOCUSED = "ninth part's default (verified faces + crop search + surround/border map + uniqueness"
      + " + focus, surround 1, " + io.sightline.posters.PosterComposer.DEFAULT_ANALYSIS_SIDE + " px analysis)";
  static final String DEFAULT = "new default (as the ninth part's, surround 0.3, "
      + io.sightline.posters.PosterComposer.DEFAULT_ANALYSIS_SIDE + " px analysis, default)";
  static final String REGIONS = "new + subject regions (" + io.sightline.posters.PosterComposer.DEFAULT_ANALYSIS_SIDE
      + " px analysis)";

  /** The face cascade as before the speed step: alt2, 800 px. */
  static CascadeFaceDetector cascade800() {
    return CascadeFaceDetector.bundled("haarcascades/haarcascade_frontalface_alt2.xml", "face", 800);
  }

  public static void main(String[] args) throws Exception {
    int n = 150;
    long seed = 1;
    boolean noSmart = false;
    boolean photoSubjects = false;
    boolean edgeSubjects = false;
    boolean onlyNew = false;
    int timing = 20;
    int threads = 1;
    boolean regions = false;
    List<String> cascades = new ArrayList<>();
    List<AspectRatio> aspects = List.of(AspectRatio.PORTRAIT_9_16, AspectRatio.SQUARE);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--n" -> n = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--no-smartcrop" -> noSmart = true;
        case "--photo-subjects" -> photoSubjects = true;
        case "--edge-subjects" -> edgeSubjects = true;
        case "--only-new" -> onlyNew = true;
        case "--timing" -> timing = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--regions" -> regions = true;
        case "--cascade" -> cascades.add(args[++i]); // SCALE:NEIGHBOURS of the alt2 face cascade at 560 px
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<Sample> samples = samples(n, seed, photoSubjects, edgeSubjects);

    PosterTemplate blankTemplate = new PosterTemplate("eval", 90, 160, List.of(), List.of());
    // "old" = the composer before issue 13: seed centre rules, every Haar hit a face, no search
    Map<String, PosterComposer> ours = new LinkedHashMap<>();
    ours.put("old (faces + spectral residual)", PosterComposer.builder().template(blankTemplate)
        .cropSearch(false).verifyFaces(false).analysisSide(0).targetDetector(cascade800()).build());
    if (!onlyNew) {
      ours.put("old (faces + fine-grained)", PosterComposer.builder().template(blankTemplate)
          .cropSearch(false).verifyFaces(false).saliency(OpenCvSaliency.fineGrained()).analysisSide(0)
          .targetDetector(cascade800()).build());
    }
    // "new" = issue 13 defaults: verified faces, importance map, crop search
    Map<String, PosterComposer> searched = new LinkedHashMap<>();
    Map<String, CropSearch> searches = new LinkedHashMap<>();
    searched.put(PREVIOUS, PosterComposer.builder().template(blankTemplate)
        .importanceWeights(ImportanceMap.Weights.PLAIN).build());
    searches.put(PREVIOUS, new CropSearch());
    searched.put(SURROUND, PosterComposer.builder().template(blankTemplate)
        .importanceWeights(ImportanceMap.Weights.SURROUND).build());
    searches.put(SURROUND, new CropSearch());
    searched.put(FOCUSED, PosterComposer.builder().template(blankTemplate)
        .importanceWeights(ImportanceMap.Weights.FOCUSED).build());
    searches.put(FOCUSED, new CropSearch());
    searched.put(DEFAULT, PosterComposer.builder().template(blankTemplate).build());
    searches.put(DEFAULT, new CropSearch());
    if (edgeSubjects) {
      String noBorder = "default without the border prior (Weights.DEFAULT.withBorder(0))";
      searched.put(noBorder, PosterComposer.builder().template(blankTemplate)
          .importanceWeights(ImportanceMap.Weights.DEFAULT.withBorder(0)).build());
      searches.put(noBorder, new CropSearch());
    }
    for (String c : cascades) {
      String[] p = c.split(":");
      String name = "new default, face cascade x" + p[0] + " n" + p[1];
      searched.put(name, PosterComposer.builder().template(blankTemplate).targetDetector(
          CascadeFaceDetector.fromFile(CascadeFaceDetector.bundledPath("haarcascades/haarcascade_frontalface_alt2.xml"),
              "face", Double.parseDouble(p[0]), Integer.parseInt(p[1]), 0.04, CascadeFaceDetector.DEFAULT_MAX_SIDE))
          .build());
      searches.put(name, new CropSearch());
    }
    if (regions) {
      searched.put(REGIONS, PosterComposer.builder().template(blankTemplate).build());
      searches.put(REGIONS, CropSearch.withSubjectRegions());
    }
    if (!onlyNew) {
      searched.put("new + fine-grained in the importance map", PosterComposer.builder().template(blankTemplate)
          .fineGrainedImportance(true).build());
      searches.put("new + fine-grained in the importance map", new CropSearch());
    }

    // method -> aspect -> per-sample crop
    Map<String, Map<AspectRatio, List<Box>>> crops = new LinkedHashMap<>();
    Map<String, Double> msPerImage = new LinkedHashMap<>();
    Map<AspectRatio, List<Box>> centre = new LinkedHashMap<>();
    for (AspectRatio a : aspects) {
      List<Box> l = new ArrayList<>();
      for (Sample s : samples) {
        l.add(CropPlanner.window(W, H, a, W / 2.0, H / 2.0));
      }
      centre.put(a, l);
    }
    crops.put("centre crop", centre);
    Map<AspectRatio, List<Box>> smart = noSmart ? null : smartcrop(samples, aspects, msPerImage);
    if (smart != null) {
      crops.put("smartcrop.js 2.0.5", smart);
    }
    Map<String, CropPlanner> planners = new LinkedHashMap<>();
    planners.put("seed rules", new CropPlanner(1.5, 0.7, false));
    planners.put("seed rules + keep faces whole", new CropPlanner(1.5, 0.7, true));
    for (Map.Entry<String, PosterComposer> e : ours.entrySet()) {
      Map<String, Map<AspectRatio, List<Box>>> m = new LinkedHashMap<>();
      for (String pn : planners.keySet()) {
        Map<AspectRatio, List<Box>> pm = new LinkedHashMap<>();
        aspects.forEach(a -> pm.put(a, new ArrayList<>()));
        m.put(pn, pm);
      }
      long t0 = System.nanoTime();
      int done = 0;
      for (Sample s : samples) {
        ImageAnalysis an = e.getValue().analyze(s.image());
        List<Box> faces = an.targets().stream().map(Detection::box).toList();
        if (Boolean.getBoolean("eval.debug")) {
          System.err.println(s.set() + " truth=" + s.truth() + " faces=" + faces + " salient=" + an.salient());
        }
        for (Map.Entry<String, CropPlanner> pe : planners.entrySet()) {
          for (AspectRatio a : aspects) {
            m.get(pe.getKey()).get(a).add(pe.getValue().plan(W, H, a, faces, an.salient()).crop());
          }
        }
        if (++done % 50 == 0) {
          System.err.printf(Locale.ROOT, "[%s] %d/%d%n", e.getKey(), done, samples.size());
        }
      }
      double ms = (System.nanoTime() - t0) / 1e6 / samples.size();
      for (String pn : planners.keySet()) {
        String name = e.getKey().replace(")", ", " + pn + ")");
        msPerImage.put(name, ms);
        crops.put(name, m.get(pn));
      }
    }

    for (Map.Entry<String, PosterComposer> e : searched.entrySet()) {
      Map<AspectRatio, List<Box>> pm = new LinkedHashMap<>();
      aspects.forEach(a -> pm.put(a, new ArrayList<>()));
      CropSearch search = searches.get(e.getKey());
      CropPlanner seedRules = e.getValue().planner();
      long t0 = System.nanoTime();
      for (Sample s : samples) {
        ImageAnalysis an = e.getValue().analyze(s.image());
        List<Box> faces = an.targets().stream().map(Detection::box).toList();
        for (AspectRatio a : aspects) {
          pm.get(a).add(search.search(W, H, a, an.importance(), faces, an.salient(), seedRules).crop());
        }
      }
      msPerImage.put(e.getKey(), (System.nanoTime() - t0) / 1e6 / samples.size());
      crops.put(e.getKey(), pm);
    }

    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Samples: %d clip-art subject composites + %d face composites + %d "
        + "photo-crop subject composites (%dx%d), seed %d.%n%n", n, n, photoSubjects ? n : 0, W, H, seed));
    long visibleClips = samples.stream().filter(x -> x.set().equals("subjects") && x.visible()).count();
    long visiblePhotos = samples.stream().filter(x -> x.set().equals("photo-subjects") && x.visible()).count();
    md.append(String.format(Locale.ROOT, "Visible subjects (at least %.0f%% of the box changed by more than %d levels, "
        + "fixed before any crop was looked at): %d of %d clip-art, %d of %d photo crops.%n%n", 100 * VISIBLE,
        CLEAR_CHANGE, visibleClips, n, visiblePhotos, photoSubjects ? n : 0));
    md.append("| method | aspect | clip-art subject kept (mean) | whole clip-art subject | whole visible clip-art "
        + "| photo subject kept (mean) | whole photo subject | every face whole | face area kept (mean) "
        + "| scenes with a face cut | ms/image |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map.Entry<String, Map<AspectRatio, List<Box>>> e : crops.entrySet()) {
      for (AspectRatio a : aspects) {
        List<Box> cs = e.getValue().get(a);
        double subjKept = 0;
        int subjWhole = 0;
        int subjN = 0;
        int visWhole = 0;
        int visN = 0;
        int facesWhole = 0;
        int facesCut = 0;
        double faceKept = 0;
        int faceN = 0;
        double photoKept = 0;
        int photoWhole = 0;
        int photoN = 0;
        for (int i = 0; i < samples.size(); i++) {
          Sample s = samples.get(i);
          Box c = cs.get(i);
          if (s.set().equals("subjects")) {
            Box t = s.truth().get(0);
            double k = c.intersection(t).area() / t.area();
            subjKept += k;
            subjWhole += k >= 0.999 ? 1 : 0;
            subjN++;
            if (s.visible()) {
              visWhole += k >= 0.999 ? 1 : 0;
              visN++;
            }
          } else if (s.set().equals("edge-subjects")) {
            continue;
          } else if (s.set().equals("photo-subjects")) {
            Box t = s.truth().get(0);
            double k = c.intersection(t).area() / t.area();
            photoKept += k;
            photoWhole += k >= 0.999 ? 1 : 0;
            photoN++;
          } else {
            boolean all = true;
            boolean cut = false;
            double k = 0;
            for (Box t : s.truth()) {
              double f = c.intersection(t).area() / t.area();
              k += f;
              all &= f >= 0.999;
              // a face partly in the crop (neither whole nor left out) is what a designer rejects
              cut |= f > 0.001 && f < 0.999;
            }
            faceKept += k / s.truth().size();
            facesWhole += all ? 1 : 0;
            facesCut += cut ? 1 : 0;
            faceN++;
          }
        }
        Double ms = msPerImage.get(e.getKey());
        md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %s | %s | %.3f | %.3f | %.3f | %s |%n",
            e.getKey(), a,
            subjKept / subjN, subjWhole / (double) subjN, visWhole / (double) Math.max(1, visN),
            photoN == 0 ? "–" : String.format(Locale.ROOT, "%.3f", photoKept / photoN),
            photoN == 0 ? "–" : String.format(Locale.ROOT, "%.3f", photoWhole / (double) photoN),
            facesWhole / (double) faceN, faceKept / faceN, facesCut / (double) faceN,
            ms == null ? "–" : String.format(Locale.ROOT, "%.1f", ms)));
      }
    }
    if (edgeSubjects) {
      long visibleEdge = samples.stream().filter(x -> x.set().equals("edge-subjects") && x.visible()).count();
      md.append(String.format(Locale.ROOT, "%n%d drawings that touch or run off the frame's edge (%d visible); "
          + "truth = the part inside the frame:%n%n| method | aspect | kept (mean) | whole | whole visible |%n"
          + "|---|---|---|---|---|%n", n, visibleEdge));
      for (Map.Entry<String, Map<AspectRatio, List<Box>>> e : crops.entrySet()) {
        for (AspectRatio a : aspects) {
          double kept = 0;
          int whole = 0;
          int wholeVisible = 0;
          for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            if (s.set().equals("edge-subjects")) {
              Box t = s.truth().get(0);
              double k = e.getValue().get(a).get(i).intersection(t).area() / t.area();
              kept += k;
              whole += k >= 0.999 ? 1 : 0;
              wholeVisible += k >= 0.999 && s.visible() ? 1 : 0;
            }
          }
          md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f |%n", e.getKey(), a, kept / n,
              whole / (double) n, wholeVisible / (double) Math.max(1, visibleEdge)));
        }
      }
    }
    for (AspectRatio a : aspects) {
      // the ceiling of "every face whole": scenes whose faces fit together in the largest window
      Box win = io.sightline.posters.CropPlanner.window(W, H, a, W / 2.0, H / 2.0);
      long faceScenes = samples.stream().filter(s -> s.set().equals("faces")).count();
      long fit = samples.stream().filter(s -> s.set().equals("faces")).filter(s -> {
        Box u = s.truth().stream().reduce(Box::union).orElseThrow();
        return u.w() <= win.w() && u.h() <= win.h();
      }).count();
      md.append(String.format(Locale.ROOT, "%nFace scenes whose faces fit together in one %s window: %d of %d "
          + "(%.3f, the ceiling of \"every face whole\").%n", a, fit, faceScenes, fit / (double) faceScenes));
    }
    if (timing > 0) {
      org.bytedeco.opencv.global.opencv_core.setNumThreads(threads);
      md.append(String.format(Locale.ROOT, "%nTime per 1920x1080 photo (analysis + 9:16 crop, %d photos, after "
          + "one warm-up; OpenCV threads: %d):%n%n| method | ms/photo (mean) | ms/photo (max) |%n|---|---|---|%n",
          timing, org.bytedeco.opencv.global.opencv_core.getNumThreads()));
      List<BufferedImage> big = new ArrayList<>();
      for (int i = 0; i < Math.min(timing, samples.size()); i++) {
        big.add(ImageOps.resize(samples.get(i).image(), 1920, 1080));
      }
      Map<String, PosterComposer> all = new LinkedHashMap<>();
      all.put("old (faces + spectral residual)", ours.get("old (faces + spectral residual)"));
      all.putAll(searched);
      for (Map.Entry<String, PosterComposer> e : all.entrySet()) {
        boolean isNew = searched.containsKey(e.getKey());
        CropSearch search = searches.get(e.getKey());
        double sum = 0;
        double max = 0;
        for (int i = -1; i < big.size(); i++) {
          BufferedImage img = big.get(Math.max(0, i));
          long t0 = System.nanoTime();
          ImageAnalysis an = e.getValue().analyze(img);
          List<Box> faces = an.targets().stream().map(Detection::box).toList();
          if (isNew) {
            search.search(1920, 1080, AspectRatio.PORTRAIT_9_16, an.importance(), faces, an.salient(),
                e.getValue().planner());
          } else {
            e.getValue().planner().plan(1920, 1080, AspectRatio.PORTRAIT_9_16, faces, an.salient());
          }
          double ms = (System.nanoTime() - t0) / 1e6;
          if (i >= 0) {
            sum += ms;
            max = Math.max(max, ms);
          }
        }
        md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", e.getKey(), sum / big.size(), max));
      }
    }
    System.out.println(md);
    for (PosterComposer c : ours.values()) {
      c.close();
    }
    for (PosterComposer c : searched.values()) {
      c.close();
    }
  }

  /**
   * @param n samples per set
   * @param seed random seed
   * @return n subject composites followed by n face composites
   */
  static List<Sample> samples(int n, long seed) throws IOException, InterruptedException {
    return samples(n, seed, false);
  }

  /**
   * @param n samples per set
   * @param seed random seed
   * @param photoSubjects also n photo-crop subject composites (after the others, so the first two
   *     sets do not change)
   * @return the samples
   */
  static List<Sample> samples(int n, long seed, boolean photoSubjects) throws IOException, InterruptedException {
    return samples(n, seed, photoSubjects, false);
  }

  /**
   * @param n samples per set
   * @param seed random seed
   * @param photoSubjects also n photo-crop subject composites (after the others, so the first two
   *     sets do not change)
   * @param edgeSubjects also n clip-art subjects that touch or run off the frame's edge (after all
   *     the others, so they do not change either)
   * @return the samples
   */
  static List<Sample> samples(int n, long seed, boolean photoSubjects, boolean edgeSubjects)
      throws IOException, InterruptedException {
    Path sk = EvalData.skimage();
    Path oc = EvalData.openclipart();
    List<EvalData.Background> bgs = EvalData.namedBackgrounds(sk);
    List<Path> clips = EvalData.clipart(oc);
    BufferedImage head = ImageLoader.defaults().load(sk.resolve("astronaut.png")).getSubimage(130, 20, 190, 190);
    Random rnd = new Random(seed);
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      samples.add(subject(bgs, clips, rnd));
    }
    for (int i = 0; i < n; i++) {
      samples.add(faces(bgs, head, rnd));
    }
    if (photoSubjects) {
      for (int i = 0; i < n; i++) {
        samples.add(photoSubject(bgs, rnd));
      }
    }
    if (edgeSubjects) {
      for (int i = 0; i < n; i++) {
        samples.add(edgeSubject(bgs, clips, rnd));
      }
    }
    System.err.printf(Locale.ROOT, "%d backgrounds, %d clip-art files, %d samples%n", bgs.size(), clips.size(),
        samples.size());
    return samples;
  }

  /** @return a random W:H window of a random background photo, scaled to W x H, under the photo's name */
  private static EvalData.Background background(List<EvalData.Background> bgs, Random rnd) {
    EvalData.Background picked = bgs.get(rnd.nextInt(bgs.size()));
    BufferedImage bg = picked.image();
    // random W:H window of the photo, scaled to W x H
    double s = Math.min(bg.getWidth() / (double) W, bg.getHeight() / (double) H) * (0.6 + 0.4 * rnd.nextDouble());
    int cw = Math.max(16, (int) (W * s));
    int ch = Math.max(9, (int) (H * s));
    int x = rnd.nextInt(Math.max(1, bg.getWidth() - cw + 1));
    int y = rnd.nextInt(Math.max(1, bg.getHeight() - ch + 1));
    return new EvalData.Background(picked.name(), ImageOps.resize(ImageOps.crop(bg, x, y, cw, ch), W, H));
  }

  /** A random drawing that loads and is at least 16 px each way, cropped to its opaque box. */
  private static BufferedImage randomClip(List<Path> clips, Random rnd) {
    while (true) {
      Path p = clips.get(rnd.nextInt(clips.size()));
      BufferedImage clip;
      try {
        clip = ImageLoader.defaults().loadRaw(p);
      } catch (RuntimeException e) {
        continue;
      }
      int[] bb = alphaBox(clip);
      if (bb != null && bb[2] >= 16 && bb[3] >= 16) {
        return clip.getSubimage(bb[0], bb[1], bb[2], bb[3]);
      }
    }
  }

  /**
   * Draws the picture into the scene at (x, y) scaled to w × h; the truth is the part inside the
   * frame, and its visibility is measured there.
   */
  private static Sample pasted(String set, EvalData.Background scene, BufferedImage picture, int x, int y, int w,
      int h) {
    BufferedImage img = scene.image();
    Box truth = new Box(x, y, w, h).intersection(new Box(0, 0, W, H));
    int tx = (int) truth.x();
    int ty = (int) truth.y();
    int tw = (int) truth.w();
    int th = (int) truth.h();
    BufferedImage before = ImageOps.crop(img, tx, ty, tw, th);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(picture, x, y, w, h, null);
    g.dispose();
    return new Sample(set, img, List.of(truth), visibility(before, img.getSubimage(tx, ty, tw, th), 0, 0, tw, th),
        scene.name());
  }

  /** @return the picture's width and height scaled so that its longer side is {@code side} (at least 8 px each) */
  private static int[] scaled(BufferedImage picture, double side) {
    double s = side / Math.max(picture.getWidth(), picture.getHeight());
    return new int[] {Math.max(8, (int) Math.round(picture.getWidth() * s)),
        Math.max(8, (int) Math.round(picture.getHeight() * s))};
  }

  private static Sample subject(List<EvalData.Background> bgs, List<Path> clips, Random rnd) {
    EvalData.Background img = background(bgs, rnd);
    BufferedImage tight = randomClip(clips, rnd);
    int[] size = scaled(tight, H * (0.2 + 0.3 * rnd.nextDouble()));
    int w = size[0];
    int h = size[1];
    return pasted("subjects", img, tight, rnd.nextInt(W - w), rnd.nextInt(H - h), w, h);
  }

  /**
   * A drawing that touches the frame's edge or runs off it, as a close-up subject does in a photo:
   * 0.25–0.6 of the frame height on its longer side, against one edge (a corner, two edges, in a
   * third of the scenes), with 0–30% of it beyond the edge. Truth = the part inside the frame.
   */
  private static Sample edgeSubject(List<EvalData.Background> bgs, List<Path> clips, Random rnd) {
    EvalData.Background img = background(bgs, rnd);
    BufferedImage tight = randomClip(clips, rnd);
    int[] size = scaled(tight, H * (0.25 + 0.35 * rnd.nextDouble()));
    int w = size[0];
    int h = size[1];
    int x = rnd.nextInt(W - w);
    int y = rnd.nextInt(H - h);
    int edge = rnd.nextInt(4);
    boolean corner = rnd.nextDouble() < 1 / 3.0;
    int overX = (int) Math.round(w * 0.3 * rnd.nextDouble());
    int overY = (int) Math.round(h * 0.3 * rnd.nextDouble());
    if (edge == 0 || corner && edge == 2) {
      x = -overX;
    } else if (edge == 1 || corner && edge == 3) {
      x = W - w + overX;
    }
    if (edge == 2 || corner && edge == 0) {
      y = -overY;
    } else if (edge == 3 || corner && edge == 1) {
      y = H - h + overY;
    }
    return pasted("edge-subjects", img, tight, x, y, w, h);
  }

  /** A rectangular crop of another photo, 0.2–0.5 of the frame height on its longer side, pasted off-centre. */
  private static Sample photoSubject(List<EvalData.Background> bgs, Random rnd) {
    int bi = rnd.nextInt(bgs.size());
    EvalData.Background img = background(List.of(bgs.get(bi)), rnd);
    BufferedImage src = bgs.get((bi + 1 + rnd.nextInt(bgs.size() - 1)) % bgs.size()).image();
    double aspect = 0.6 + rnd.nextDouble();
    int sw = Math.max(16, (int) (Math.min(src.getWidth(), src.getHeight()) * (0.3 + 0.3 * rnd.nextDouble())));
    int shh = Math.max(16, Math.min(src.getHeight(), (int) (sw / aspect)));
    sw = Math.min(sw, src.getWidth());
    BufferedImage patch = ImageOps.crop(src, rnd.nextInt(src.getWidth() - sw + 1), rnd.nextInt(src.getHeight() - shh + 1),
        sw, shh);
    double side = H * (0.2 + 0.3 * rnd.nextDouble());
    double s = side / Math.max(sw, shh);
    int w = Math.max(8, (int) Math.round(sw * s));
    int h = Math.max(8, (int) Math.round(shh * s));
    // off-centre: the subject's centre lies outside the middle fifth of the width
    int x;
    do {
      x = rnd.nextInt(W - w);
    } while (Math.abs(x + w / 2.0 - W / 2.0) < W * 0.1);
    int y = rnd.nextInt(H - h);
    return pasted("photo-subjects", img, patch, x, y, w, h);
  }

  private static Sample faces(List<EvalData.Background> bgs, BufferedImage head, Random rnd) {
    EvalData.Background scene = background(bgs, rnd);
    BufferedImage img = scene.image();
    int k = rnd.nextDouble() < 0.3 ? 2 : 1;
    List<Box> heads = new ArrayList<>();
    List<Box> faces = new ArrayList<>();
    int tries = 0;
    while (heads.size() < k && tries++ < 100) {
      int size = 140 + rnd.nextInt(160);
      int x = rnd.nextInt(W - size);
      int y = rnd.nextInt(H - size);
      Box hb = new Box(x, y, size, size);
      if (heads.stream().anyMatch(o -> o.intersects(hb))) {
        continue;
      }
      boolean mirror = rnd.nextBoolean();
      Graphics2D g = img.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      if (mirror) {
        AffineTransform t = new AffineTransform(-size / 190.0, 0, 0, size / 190.0, x + size, y);
        g.drawImage(head, t, null);
      } else {
        g.drawImage(head, x, y, size, size, null);
      }
      g.dispose();
      double f = size / 190.0;
      double fx = mirror ? 190 - FACE_IN_HEAD[0] - FACE_IN_HEAD[2] : FACE_IN_HEAD[0];
      heads.add(hb);
      faces.add(new Box(x + fx * f, y + FACE_IN_HEAD[1] * f, FACE_IN_HEAD[2] * f, FACE_IN_HEAD[3] * f));
    }
    return new Sample("faces", img, faces, 1.0, scene.name());
  }

  private static int[] alphaBox(BufferedImage img) {
    if (!img.getColorModel().hasAlpha()) {
      return null;
    }
    int x0 = img.getWidth();
    int y0 = img.getHeight();
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) >>> 24) > 32) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
    }
    return x1 < 0 ? null : new int[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
  }

  /** Runs smartcrop.js under node; null when node/npm are unavailable. */
  static Map<AspectRatio, List<Box>> smartcrop(List<Sample> samples, List<AspectRatio> aspects,
      Map<String, Double> msPerImage) throws IOException, InterruptedException {
    // a scratch folder outside the repository (npm writes node_modules there)
    Path dir = Path.of(System.getProperty("smartcrop.dir", "/tmp/smartcrop")).toAbsolutePath();
    Files.createDirectories(dir);
    if (!Files.isDirectory(dir.resolve("node_modules/smartcrop"))) {
      try {
        Process p = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--prefix", dir.toString(),
            "smartcrop@2.0.5").inheritIO().start();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
          System.err.println("npm install smartcrop failed; skipping the smartcrop baseline");
          return null;
        }
      } catch (IOException e) {
        System.err.println("npm not found; skipping the smartcrop baseline");
        return null;
      }
    }
    try (var in = CropEvaluation.class.getResourceAsStream("/eval/smartcrop-runner.js")) {
      Files.copy(in, dir.resolve("smartcrop-runner.js"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    // smartcrop prescales to 256 px on the shorter side itself; we hand it that size directly
    ObjectMapper json = new ObjectMapper();
    List<Map<String, Object>> jobs = new ArrayList<>();
    double[] pres = new double[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      int iw = samples.get(i).image().getWidth();
      int ih = samples.get(i).image().getHeight();
      double pre = 256.0 / Math.min(iw, ih);
      pres[i] = pre;
      int pw = (int) Math.round(iw * pre);
      int ph = (int) Math.round(ih * pre);
      BufferedImage small = ImageOps.resize(samples.get(i).image(), pw, ph);
      int[] px = small.getRGB(0, 0, pw, ph, null, 0, pw);
      ByteBuffer bb = ByteBuffer.allocate(px.length * 4);
      for (int p : px) {
        bb.put((byte) (p >> 16)).put((byte) (p >> 8)).put((byte) p).put((byte) 255);
      }
      String file = "img" + i + ".rgba";
      Files.write(dir.resolve(file), bb.array());
      for (AspectRatio a : aspects) {
        jobs.add(Map.of("id", i + "@" + a, "file", file, "w", pw, "h", ph, "aspectW", a.width(), "aspectH", a.height()));
      }
    }
    json.writeValue(dir.resolve("jobs.json").toFile(), jobs);
    Process p = new ProcessBuilder("node", dir.resolve("smartcrop-runner.js").toString(), dir.toString())
        .inheritIO().start();
    if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      System.err.println("node smartcrop-runner failed; skipping the smartcrop baseline");
      return null;
    }
    JsonNode res = json.readTree(dir.resolve("results.json").toFile());
    Map<AspectRatio, List<Box>> out = new LinkedHashMap<>();
    aspects.forEach(a -> out.put(a, new ArrayList<>()));
    int j = 0;
    for (int i = 0; i < samples.size(); i++) {
      double pre = pres[i];
      for (AspectRatio a : aspects) {
        JsonNode c = res.get("crops").get(j++);
        out.get(a).add(new Box(c.get("x").asDouble() / pre, c.get("y").asDouble() / pre, c.get("w").asDouble() / pre,
            c.get("h").asDouble() / pre).clamp(samples.get(i).image().getWidth(), samples.get(i).image().getHeight()));
      }
    }
    msPerImage.put("smartcrop.js 2.0.5", res.get("ms").asDouble() / samples.size());
    return out;
  }
}
