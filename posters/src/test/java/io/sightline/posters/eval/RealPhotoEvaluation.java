package io.sightline.posters.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.CropPlanner;
import io.sightline.posters.CropSearch;
import io.sightline.posters.ImageAnalysis;
import io.sightline.posters.ImportanceMap;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Crops of real photos against hand-annotated subject boxes ({@code /eval/real-subjects.json}:
 * scikit-image sample photos and one MATE background, with source and licence per photo). Methods
 * in one run: centre crop, smartcrop.js 2.0.5, the old composer (seed rules, 800 px cascade), the
 * previous default (the importance map without the surround and border terms), the current default
 * and the default plus subject regions. For each aspect
 * (9:16, 1:1) it prints the share of the subject box kept per photo, whether a window of that
 * aspect (full height or width) could hold the subject whole at all, and totals.
 *
 * <p>Photos are read from {@code -Dsightline.debian.root=DIR} (a folder holding {@code dpkg -x}
 * output of {@code python3-skimage} and {@code mate-backgrounds}), else from {@code /tmp/deb/sk}
 * for the skimage photos; photos not found are skipped and listed.
 *
 * <p>A second set, {@code --set real-subjects-2.json}, holds 12 photos from other Debian wallpaper
 * packages ({@code lomiri-wallpapers-16.04}, {@code lomiri-wallpapers-20.04},
 * {@code plasma-workspace-wallpapers}, {@code mate-backgrounds}), annotated before any method was
 * run on them: a held-out set for the crop search, whose settings were chosen with the first set
 * in view. {@code real-subjects-3.json} (8 photos: opencv-doc samples, lomiri, mate) and
 * {@code real-subjects-4.json} (5 photos and 4 illustrations: lomiri, plasma, opencv-doc, mate,
 * {@code ukui-wallpapers}) and {@code real-subjects-5.json} (6 sample photos: python3-sklearn,
 * python-matplotlib-data, python3-skimage, opencv-doc) were annotated the same way, each before any
 * method ran on it; so was {@code real-subjects-6.json} (30 animal photos at 1920×1080 from GCompris's
 * "erase" activity, Debian {@code gcompris-qt-data}), whose photos are read out of the package's Qt
 * resource file ({@link QtResourceFile}).
 *
 * <p>Extra columns: {@code -Dfocus=F1,F2} (focus-cue weights), {@code -Dpenalties=P1,P2} (the
 * search's scale penalty), {@code -Dscales=1.0;1.0,0.9} (only these window sizes);
 * {@code --sheets DIR} writes each photo beside its importance map with the crops drawn.
 *
 * <p>Run: {@code java -Dsightline.debian.root=/tmp/evaldata/x -cp ... io.sightline.posters.eval.RealPhotoEvaluation [--set FILE]}.
 */
public final class RealPhotoEvaluation {
  private RealPhotoEvaluation() {}

  record Photo(String file, String subject, Box box, Box face, BufferedImage image) {}

  public static void main(String[] args) throws Exception {
    String set = "real-subjects.json";
    Path sheets = null;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--set")) {
        set = args[i + 1];
      } else if (args[i].equals("--sheets")) {
        sheets = Files.createDirectories(Path.of(args[i + 1]));
      }
    }
    List<Photo> photos = load(set);
    List<AspectRatio> aspects = List.of(AspectRatio.PORTRAIT_9_16, AspectRatio.SQUARE);
    PosterTemplate blank = new PosterTemplate("eval", 90, 160, List.of(), List.of());
    List<CropEvaluation.Sample> samples = new ArrayList<>();
    for (Photo p : photos) {
      samples.add(new CropEvaluation.Sample("real", p.image(), List.of(p.box())));
    }
    Map<String, Map<AspectRatio, List<Box>>> crops = new LinkedHashMap<>();
    Map<AspectRatio, List<Box>> centre = new LinkedHashMap<>();
    for (AspectRatio a : aspects) {
      List<Box> l = new ArrayList<>();
      for (Photo p : photos) {
        int w = p.image().getWidth();
        int h = p.image().getHeight();
        l.add(CropPlanner.window(w, h, a, w / 2.0, h / 2.0));
      }
      centre.put(a, l);
    }
    crops.put("centre crop", centre);
    Map<String, Double> ms = new LinkedHashMap<>();
    Map<AspectRatio, List<Box>> smart = CropEvaluation.smartcrop(samples, aspects, ms);
    if (smart != null) {
      crops.put("smartcrop.js 2.0.5", smart);
    }
    try (PosterComposer old = PosterComposer.builder().template(blank).cropSearch(false).verifyFaces(false)
        .analysisSide(0).targetDetector(CropEvaluation.cascade800()).build();
        PosterComposer previous = PosterComposer.builder().template(blank)
            .importanceWeights(io.sightline.posters.ImportanceMap.Weights.PLAIN).build();
        PosterComposer surround = PosterComposer.builder().template(blank)
            .importanceWeights(io.sightline.posters.ImportanceMap.Weights.SURROUND).build();
        PosterComposer now = PosterComposer.builder().template(blank).build()) {
      crops.put("old composer", run(old, null, photos, aspects));
      crops.put("previous default (map without surround/border)", run(previous, new CropSearch(), photos, aspects));
      crops.put("surround + border terms (fifth part's default)", run(surround, new CropSearch(), photos, aspects));
      try (PosterComposer unique = PosterComposer.builder().template(blank)
          .importanceWeights(ImportanceMap.Weights.UNIQUE).build()) {
        crops.put("uniqueness weighting (sixth part's default)", run(unique, new CropSearch(), photos, aspects));
      }
      try (PosterComposer focused = PosterComposer.builder().template(blank)
          .importanceWeights(ImportanceMap.Weights.FOCUSED).build()) {
        crops.put("focus cue, surround 1 (eighth/ninth part's default)", run(focused, new CropSearch(), photos, aspects));
      }
      crops.put("new default (surround 0.3)", run(now, new CropSearch(), photos, aspects));
      try (PosterComposer noBorder = PosterComposer.builder().template(blank)
          .importanceWeights(ImportanceMap.Weights.DEFAULT.withBorder(0)).build()) {
        crops.put("default without the border prior", run(noBorder, new CropSearch(), photos, aspects));
      }
      crops.put("new + subject regions", run(now, CropSearch.withSubjectRegions(), photos, aspects));
      // -Dpenalties=0.5,1: the default search with these costs for windows below the largest
      for (String sp : System.getProperty("penalties", "").split(",")) {
        if (!sp.isBlank()) {
          crops.put("default, scale penalty " + sp,
              run(now, new CropSearch().withScalePenalty(Double.parseDouble(sp)), photos, aspects));
        }
      }
      // -Dscales=1.0[;0.9,1.0]: the default map, searched with only these window sizes
      for (String sc : System.getProperty("scales", "").split(";")) {
        if (!sc.isBlank()) {
          double[] s = java.util.Arrays.stream(sc.split(",")).mapToDouble(Double::parseDouble).toArray();
          crops.put("default, scales " + sc, run(now, new CropSearch(s, 6.0, 0.05, 0.1, 0.6), photos, aspects));
        }
      }
      // -Dfocus=F1,F2: the default map plus the depth-of-field cue at each weight
      for (String f : System.getProperty("focus", "").split(",")) {
        if (!f.isBlank()) {
          try (PosterComposer focus = PosterComposer.builder().template(blank)
              .importanceWeights(ImportanceMap.Weights.DEFAULT.withFocus(Double.parseDouble(f))).build()) {
            crops.put("default + focus " + f, run(focus, new CropSearch(), photos, aspects));
          }
        }
      }
      if (sheets != null) {
        for (int i = 0; i < photos.size(); i++) {
          Photo p = photos.get(i);
          ImportanceMap m = now.analyze(p.image()).importance();
          List<Box> shown = new ArrayList<>();
          for (AspectRatio a : aspects) {
            shown.add(crops.get("new default (surround 0.3)").get(a).get(i));
            if (smart != null) {
              shown.add(smart.get(a).get(i));
            }
          }
          sheet(p, m, shown, sheets.resolve(String.format(Locale.ROOT, "p%02d.png", i)));
        }
      }
    }
    StringBuilder md = new StringBuilder();
    for (AspectRatio a : aspects) {
      md.append(String.format(Locale.ROOT, "%n%s — share of the annotated subject kept (1.000 = whole)%n%n", a));
      md.append("| photo (subject) | fits a window |");
      crops.keySet().forEach(k -> md.append(' ').append(k).append(" |"));
      md.append("\n|---|---|");
      crops.keySet().forEach(k -> md.append("---|"));
      md.append('\n');
      Map<String, int[]> whole = new LinkedHashMap<>();
      Map<String, double[]> kept = new LinkedHashMap<>();
      int feasible = 0;
      for (int i = 0; i < photos.size(); i++) {
        Photo p = photos.get(i);
        Box win = CropPlanner.window(p.image().getWidth(), p.image().getHeight(), a, 0, 0);
        boolean fits = p.box().w() <= win.w() + 0.5 && p.box().h() <= win.h() + 0.5;
        feasible += fits ? 1 : 0;
        md.append("| ").append(p.file()).append(" (").append(p.subject()).append(") | ").append(fits ? "yes" : "no")
            .append(" |");
        for (Map.Entry<String, Map<AspectRatio, List<Box>>> e : crops.entrySet()) {
          Box c = e.getValue().get(a).get(i);
          double k = c.intersection(p.box()).area() / p.box().area();
          boolean faceCut = p.face() != null && c.intersection(p.face()).area() / p.face().area() < 0.999;
          whole.computeIfAbsent(e.getKey(), x -> new int[2]);
          kept.computeIfAbsent(e.getKey(), x -> new double[1])[0] += k;
          if (k >= 0.999) {
            whole.get(e.getKey())[0]++;
          }
          if (faceCut) {
            whole.get(e.getKey())[1]++;
          }
          md.append(String.format(Locale.ROOT, " %.3f%s |", k, faceCut ? " (face cut)" : ""));
        }
        md.append('\n');
      }
      md.append(String.format(Locale.ROOT, "| **whole / mean kept / faces cut** (%d of %d fit) | |", feasible,
          photos.size()));
      for (String k : crops.keySet()) {
        md.append(String.format(Locale.ROOT, " %d / %.3f / %d |", whole.get(k)[0], kept.get(k)[0] / photos.size(),
            whole.get(k)[1]));
      }
      md.append('\n');
    }
    System.out.println(md);
  }

  /**
   * Writes the photo (subject box green; the default's crops red, smartcrop.js's blue, 9:16 solid
   * and 1:1 dashed) beside its importance map (square root, so faint values show).
   */
  private static void sheet(Photo p, ImportanceMap m, List<Box> crops, Path file) throws java.io.IOException {
    int w = p.image().getWidth();
    int h = p.image().getHeight();
    double s = 640.0 / Math.max(w, h);
    int ow = (int) Math.round(w * s);
    int oh = (int) Math.round(h * s);
    BufferedImage out = new BufferedImage(2 * ow, oh, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = out.createGraphics();
    g.drawImage(p.image(), 0, 0, ow, oh, null);
    float[] v = m.values();
    float max = 1e-9f;
    for (float f : v) {
      max = Math.max(max, f);
    }
    BufferedImage mi = new BufferedImage(m.width(), m.height(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < m.height(); y++) {
      for (int x = 0; x < m.width(); x++) {
        mi.setRGB(x, y, (int) (255 * Math.sqrt(v[y * m.width() + x] / max)) * 0x010101);
      }
    }
    g.drawImage(mi, ow, 0, ow, oh, null);
    java.awt.Stroke solid = new java.awt.BasicStroke(2);
    java.awt.Stroke dashed = new java.awt.BasicStroke(2, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER,
        10, new float[] {6, 6}, 0);
    for (int off : new int[] {0, ow}) {
      g.setStroke(solid);
      g.setColor(java.awt.Color.GREEN);
      g.drawRect(off + (int) (p.box().x() * s), (int) (p.box().y() * s), (int) (p.box().w() * s), (int) (p.box().h() * s));
      for (int k = 0; k < crops.size(); k++) {
        Box c = crops.get(k);
        g.setColor(crops.size() == 4 && k % 2 == 1 ? java.awt.Color.CYAN : java.awt.Color.RED);
        g.setStroke(k < crops.size() / 2 ? solid : dashed);
        g.drawRect(off + (int) (c.x() * s) + 2 * k, (int) (c.y() * s) + 2 * k, (int) (c.w() * s) - 4 * k,
            (int) (c.h() * s) - 4 * k);
      }
    }
    g.dispose();
    javax.imageio.ImageIO.write(out, "png", file.toFile());
  }

  private static Map<AspectRatio, List<Box>> run(PosterComposer c, CropSearch search, List<Photo> photos,
      List<AspectRatio> aspects) {
    Map<AspectRatio, List<Box>> out = new LinkedHashMap<>();
    aspects.forEach(a -> out.put(a, new ArrayList<>()));
    for (Photo p : photos) {
      ImageAnalysis an = c.analyze(p.image());
      List<Box> faces = an.targets().stream().map(Detection::box).toList();
      int w = p.image().getWidth();
      int h = p.image().getHeight();
      for (AspectRatio a : aspects) {
        out.get(a).add(search == null ? c.planner().plan(w, h, a, faces, an.salient()).crop()
            : search.search(w, h, a, an.importance(), faces, an.salient(), c.planner()).crop());
      }
    }
    return out;
  }

  /**
   * @param set a file name under {@code /eval/} on the class path
   * @return its photos that were found
   */
  static List<Photo> load(String set) throws Exception {
    JsonNode root;
    try (InputStream in = RealPhotoEvaluation.class.getResourceAsStream("/eval/" + set)) {
      if (in == null) {
        throw new IllegalArgumentException("no annotation file /eval/" + set + " on the class path");
      }
      root = new ObjectMapper().readTree(in);
    }
    String debRoot = System.getProperty("sightline.debian.root");
    List<Photo> out = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    Map<Path, QtResourceFile> resourceFiles = new java.util.HashMap<>(); // each read once
    for (JsonNode p : root.get("photos")) {
      String dir = p.get("dir").asText();
      String file = p.get("file").asText();
      List<Path> candidates = new ArrayList<>();
      if (debRoot != null) {
        candidates.add(Path.of(debRoot, dir, file));
      }
      if (p.get("package").asText().equals("python3-skimage")) {
        candidates.add(Path.of("/tmp/deb/sk", dir, file));
      }
      BufferedImage raw;
      if (p.has("rcc")) {
        // a photo inside a Qt resource file of the package (GCompris)
        Path rcc = debRoot == null ? null : Path.of(debRoot, p.get("rcc").asText());
        if (rcc == null || !Files.isRegularFile(rcc)) {
          missing.add(file);
          continue;
        }
        raw = ImageLoader.defaults().load(resourceFile(resourceFiles, rcc).read(dir + "/" + file));
      } else {
        Path found = candidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
        if (found == null) {
          missing.add(file);
          continue;
        }
        raw = ImageLoader.defaults().load(found);
      }
      BufferedImage img = ImageOps.toRgb(raw);
      out.add(new Photo(p.has("name") ? p.get("name").asText() : file, p.get("subject").asText(), box(p.get("box")), p.has("face") ? box(p.get("face")) : null,
          img));
    }
    if (!missing.isEmpty()) {
      System.err.println("photos not found (set -Dsightline.debian.root): " + missing);
    }
    return out;
  }

  private static QtResourceFile resourceFile(Map<Path, QtResourceFile> open, Path rcc) throws java.io.IOException {
    QtResourceFile f = open.get(rcc);
    if (f == null) {
      f = new QtResourceFile(rcc);
      open.put(rcc, f);
    }
    return f;
  }

  private static Box box(JsonNode b) {
    return new Box(b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble());
  }
}
