package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.CropSearch;
import io.sightline.posters.ImageAnalysis;
import io.sightline.posters.ImportanceAccess;
import io.sightline.posters.ImportanceMap;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Tunes the importance-map weights ({@link ImportanceMap.Weights}, including the surround
 * contrast terms) on the TUNE split (seed 7 by default; {@link CropEvaluation} reports seed 1).
 * Every scene (clip-art, face and photo-subject composites) is analysed once by the default
 * composer and its map components computed once; each argument
 * {@code edge,sat,skin,spectral,fine,colour,surround,edgeSurround,border,power[,cutWeight]} is then fused
 * and searched at 9:16, and the share of clip-art subjects, photo subjects and face scenes kept
 * whole is printed, with the mean share of the subjects kept.
 *
 * <p>{@code -Duniq=U} sets the uniqueness exponent of every weight set of the run (default 0);
 * {@code -Dfocus=F1,F2,...} tries each weight of the depth-of-field cue with every argument;
 * {@code -DscalePenalty=P1,P2} tries these costs of windows below the largest (default the
 * library's), {@code -Dwindows=1.0} searches only these window sizes (default 1, 0.9, 0.8) and
 * {@code -Daspect=square} searches 1:1 windows instead of 9:16; {@code -Dreal=FILE,FILE} runs on
 * annotated real photos ({@link RealPhotoEvaluation}'s sets) instead of the generated scenes.
 * Run: {@code java -Dn=100 -Dseed=7 -cp ... io.sightline.posters.eval.MapTuning
 * 0.1,0.3,0.1,0.25,0,0.35,0,0,0,4 0.1,0.3,0.1,0.25,0,0.35,1,1,1,4}.
 */
public final class MapTuning {
  public static void main(String[] args) throws Exception {
    int n = Integer.getInteger("n", 100);
    long seed = Long.getLong("seed", 7);
    // -Dedge=true: also the drawings that touch or run off the frame's edge
    boolean edge = Boolean.getBoolean("edge");
    // -Dreal=real-subjects.json,real-subjects-2.json: the annotated real photos instead of the scenes
    String real = System.getProperty("real");
    List<CropEvaluation.Sample> all = new ArrayList<>();
    if (real != null) {
      for (String set : real.split(",")) {
        for (RealPhotoEvaluation.Photo p : RealPhotoEvaluation.load(set)) {
          all.add(new CropEvaluation.Sample("real", p.image(), List.of(p.box())));
        }
      }
    } else {
      all = CropEvaluation.samples(n, seed, true, edge);
    }
    PosterComposer c = PosterComposer.builder().template(new PosterTemplate("t", 90, 160, List.of(), List.of()))
        .build();
    List<ImageAnalysis> an = new ArrayList<>();
    List<Function<ImportanceMap.Weights, ImportanceMap>> comps = new ArrayList<>();
    // -Dscales=0.05,0.1,0.2: centre window sides of the surround terms (default: SurroundContrast's)
    double[] scales = System.getProperty("scales") == null ? null
        : java.util.Arrays.stream(System.getProperty("scales").split(",")).mapToDouble(Double::parseDouble).toArray();
    for (CropEvaluation.Sample s : all) {
      an.add(c.analyze(s.image()));
      comps.add(scales == null ? ImportanceAccess.components(s.image(), PosterComposer.DEFAULT_ANALYSIS_SIDE)
          : ImportanceAccess.components(s.image(), PosterComposer.DEFAULT_ANALYSIS_SIDE, scales));
    }
    // -Dfocus=0,0.5,1: weights of the depth-of-field cue tried with every argument (default 0)
    String[] focusWeights = System.getProperty("focus", "0").split(",");
    // -Daspect=square: search 1:1 windows instead of 9:16
    AspectRatio aspect = "square".equals(System.getProperty("aspect")) ? AspectRatio.SQUARE : AspectRatio.PORTRAIT_9_16;
    // -Dwindows=1.0: the window sizes searched (default 1, 0.9, 0.8)
    double[] windows = java.util.Arrays.stream(System.getProperty("windows", "1.0,0.9,0.8").split(","))
        .mapToDouble(Double::parseDouble).toArray();
    // -DscalePenalty=0.1,0.5: costs of windows below the largest (default: the library's)
    String[] penalties = System.getProperty("scalePenalty", String.valueOf(CropSearch.DEFAULT_SCALE_PENALTY))
        .split(",");
    List<String[]> configs = new ArrayList<>(); // weights, focus weight, scale penalty
    for (String arg : args) {
      for (String fw : focusWeights) {
        for (String sp : penalties) {
          configs.add(new String[] {arg, fw, sp});
        }
      }
    }
    for (String[] config : configs) {
      String arg = config[0];
      String fw = config[1];
      String sp = config[2];
      String a = arg + (focusWeights.length > 1 || !fw.equals("0") ? " focus " + fw : "")
          + (penalties.length > 1 ? " scale penalty " + sp : "");
      String[] p = arg.split(",");
      double[] v = new double[p.length];
      for (int i = 0; i < p.length; i++) {
        v[i] = Double.parseDouble(p[i]);
      }
      ImportanceMap.Weights w = new ImportanceMap.Weights(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9],
          Double.parseDouble(System.getProperty("uniq", "0")), Double.parseDouble(fw));
      CropSearch search = new CropSearch(windows, v.length > 10 ? v[10] : 6.0, 0.05, 0.1, 0.6)
          .withScalePenalty(Double.parseDouble(sp));
      int[] whole = new int[5];
      // texture backgrounds: whole, n; backgrounds with a subject: whole, n; the same for visible drawings
      int[] byBackground = new int[8];
      int[] cnt = new int[5];
      double[] kept = new double[5];
      StringBuilder misses = new StringBuilder();
      for (int i = 0; i < all.size(); i++) {
        CropEvaluation.Sample s = all.get(i);
        ImageAnalysis x = an.get(i);
        List<Box> faces = x.targets().stream().map(Detection::box).toList();
        Box crop = search.search(s.image().getWidth(), s.image().getHeight(), aspect,
            comps.get(i).apply(w), faces, x.salient(), c.planner()).crop();
        int k = switch (s.set()) {
          case "subjects" -> 0;
          case "photo-subjects" -> 1;
          case "edge-subjects" -> 4;
          default -> 2;
        };
        boolean ok = s.wholeIn(crop);
        double f = s.keptBy(crop);
        cnt[k]++;
        whole[k] += ok ? 1 : 0;
        if (k == 0) { // drawings, by whether the background photo has a subject of its own
          int b = s.backgroundWithOwnSubject() ? 1 : 0;
          byBackground[2 * b] += ok ? 1 : 0;
          byBackground[2 * b + 1]++;
          if (s.visible()) {
            byBackground[4 + 2 * b] += ok ? 1 : 0;
            byBackground[5 + 2 * b]++;
          }
        }
        if (k == 0 && s.visible()) {
          cnt[3]++;
          whole[3] += ok ? 1 : 0;
        }
        kept[k] += f;
        if (!ok && k < 2) {
          misses.append(i).append(' ');
        }
      }
      if (real != null) {
        System.out.printf(Locale.ROOT, "%s  real %d/%d whole (%.3f), kept %.3f%n", a, whole[2], cnt[2],
            whole[2] / (double) cnt[2], kept[2] / cnt[2]);
        continue;
      }
      System.out.printf(Locale.ROOT, "%s  clip %.3f (kept %.3f, visible %.3f)  photo %.3f (kept %.3f)  faces %.3f%n", a,
          whole[0] / (double) cnt[0], kept[0] / cnt[0], whole[3] / (double) Math.max(1, cnt[3]), whole[1] / (double) cnt[1], kept[1] / cnt[1],
          whole[2] / (double) cnt[2]);
      if (edge) {
        System.out.printf(Locale.ROOT, "    edge %.3f (kept %.3f)%n", whole[4] / (double) cnt[4], kept[4] / cnt[4]);
      }
      System.out.printf(Locale.ROOT, "    drawings on texture backgrounds %d/%d whole, on backgrounds with a subject of "
          + "their own %d/%d (visible drawings: %d/%d and %d/%d)%n", byBackground[0], byBackground[1], byBackground[2],
          byBackground[3], byBackground[4], byBackground[5], byBackground[6], byBackground[7]);
      if (Boolean.getBoolean("debug")) {
        System.out.println("  misses: " + misses);
      }
    }
    c.close();
  }
}
