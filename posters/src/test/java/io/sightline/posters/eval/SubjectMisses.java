package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.CropSearch;
import io.sightline.posters.ImageAnalysis;
import io.sightline.posters.ImportanceMap;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import java.util.List;
import java.util.Locale;

/**
 * Diagnostic (issue 13, sixth part): for each subject scene (clip-art and photo crops) of a split,
 * its visibility, the share of the subject kept by the default crop, and the share of the map's
 * importance inside the subject box against the box's share of the area (lift). With a third
 * argument DIR, each scene whose subject is not kept whole is also written to DIR as the scene
 * beside its importance map, the subject box in green.
 *
 * <p>Run: {@code java -cp ... io.sightline.posters.eval.SubjectMisses 60 7 [DIR]} (tune split).
 */
public final class SubjectMisses {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    long seed = Long.parseLong(args[1]);
    java.nio.file.Path sheets = args.length > 2 ? java.nio.file.Path.of(args[2]) : null;
    List<CropEvaluation.Sample> samples = CropEvaluation.samples(n, seed, true);
    PosterComposer c = PosterComposer.builder().template(new PosterTemplate("eval", 90, 160, List.of(), List.of())).build();
    CropSearch search = new CropSearch();
    int i = 0;
    for (CropEvaluation.Sample s : samples) {
      i++;
      if (s.set().equals("faces")) {
        continue;
      }
      ImageAnalysis an = c.analyze(s.image());
      List<Box> faces = an.targets().stream().map(Detection::box).toList();
      Box crop = search.search(1280, 720, AspectRatio.PORTRAIT_9_16, an.importance(), faces, an.salient(), c.planner()).crop();
      Box t = s.truth().get(0);
      double kept = crop.intersection(t).area() / t.area();
      ImportanceMap m = an.importance();
      float[] v = m.values();
      double sx = m.width() / 1280.0;
      double sy = m.height() / 720.0;
      double in = 0, tot = 0;
      int nin = 0;
      for (int y = 0; y < m.height(); y++) {
        for (int x = 0; x < m.width(); x++) {
          double px = (x + 0.5) / sx, py = (y + 0.5) / sy;
          tot += v[y * m.width() + x];
          if (px >= t.x() && px < t.x() + t.w() && py >= t.y() && py < t.y() + t.h()) {
            in += v[y * m.width() + x];
            nin++;
          }
        }
      }
      double areaShare = nin / (double) v.length;
      System.out.printf(Locale.ROOT, "%d %s vis=%.2f kept=%.2f massShare=%.2f areaShare=%.2f lift=%.2f faces=%d subj=[%.0f,%.0f %.0fx%.0f] crop=[%.0f,%.0f %.0fx%.0f]%n",
          i, s.set(), s.visibility(), kept, in / tot, areaShare, (in / tot) / areaShare, faces.size(), t.x(), t.y(), t.w(), t.h(),
          crop.x(), crop.y(), crop.w(), crop.h());
      if (sheets != null && kept < 0.999) {
        sheet(s, m, sheets.resolve("s" + i + ".png"));
      }
    }
    c.close();
  }

  /** Writes the scene beside its importance map (square root, so faint values show), subject box in green. */
  static void sheet(CropEvaluation.Sample s, ImportanceMap m, java.nio.file.Path file) throws java.io.IOException {
    float[] v = m.values();
    float max = 1e-9f;
    for (float f : v) {
      max = Math.max(max, f);
    }
    java.awt.image.BufferedImage out = new java.awt.image.BufferedImage(1280, 360,
        java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = out.createGraphics();
    g.drawImage(s.image(), 0, 0, 640, 360, null);
    java.awt.image.BufferedImage mi = new java.awt.image.BufferedImage(m.width(), m.height(),
        java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < m.height(); y++) {
      for (int x = 0; x < m.width(); x++) {
        mi.setRGB(x, y, (int) (255 * Math.sqrt(v[y * m.width() + x] / max)) * 0x010101);
      }
    }
    g.drawImage(mi, 640, 0, 640, 360, null);
    g.setStroke(new java.awt.BasicStroke(2));
    g.setColor(java.awt.Color.GREEN);
    for (Box t : s.truth()) {
      for (int off : new int[] {0, 640}) {
        g.drawRect(off + (int) (t.x() / 2), (int) (t.y() / 2), (int) (t.w() / 2), (int) (t.h() / 2));
      }
    }
    g.dispose();
    javax.imageio.ImageIO.write(out, "png", file.toFile());
  }
}
