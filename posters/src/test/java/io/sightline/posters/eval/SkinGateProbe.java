package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.image.ImageOps;
import io.sightline.posters.CascadeFaceDetector;
import io.sightline.posters.FaceVerifier;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.global.opencv_objdetect;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

/**
 * Development aid (issue 13, fifth part): the face cascade run only inside skin-coloured regions
 * (YCrCb rule on a quarter-size copy, each region grown by {@code margin} times its size and at
 * least 24 px, overlapping regions merged; the whole image when it is near grey; the raw candidates
 * of all regions grouped together). Prints the detection time and the share of the image scanned on
 * 1920x1080 photos, and on the tune scenes the true faces found and verified and the verified false
 * faces, plain against gated, and how many verified true faces have less than 30% skin (verified by
 * an eye alone). A prototype, not a library path: the gate scanned the whole image on the timing
 * photos. {@code java ... SkinGateProbe scenes seed timingPhotos margin}, e.g. {@code 100 7 20 1.0}.
 */
public final class SkinGateProbe {
  private static final int QUARTER = 4;
  private static CascadeClassifier cascade;

  private SkinGateProbe() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    long seed = Long.parseLong(args[1]);
    int timing = Integer.parseInt(args[2]);
    double margin = Double.parseDouble(args[3]);
    opencv_core.setNumThreads(1);
    cascade = new CascadeClassifier(
        CascadeFaceDetector.bundledPath("haarcascades/haarcascade_frontalface_alt2.xml").toString());
    List<CropEvaluation.Sample> ts = CropEvaluation.samples(timing, 1);
    double[] t = new double[2];
    double[] area = new double[1];
    int count = 0;
    for (int r = 0; r < 2; r++) {
      for (int i = 0; i < timing; i++) {
        BufferedImage big = ImageOps.resize(ts.get(i < timing / 2 ? i : timing + i - timing / 2).image(), 1920, 1080);
        BufferedImage work = ImageOps.fitWithin(big, 560);
        for (int k = 0; k < 2; k++) {
          long a = System.nanoTime();
          detect(work, k == 1, margin, k == 1 && r == 1 ? area : null);
          t[k] += r == 1 ? (System.nanoTime() - a) / 1e6 : 0;
        }
        count += r == 1 ? 1 : 0;
      }
    }
    System.out.printf(Locale.ROOT, "timing: plain %.1f ms, gated %.1f ms, gated share of the image %.2f%n",
        t[0] / count, t[1] / count, area[0] / count);
    FaceVerifier verifier = new FaceVerifier();
    int truth = 0;
    int[] found = new int[2];
    int[] wrong = new int[2];
    int eyeOnly = 0;
    double[] tuneArea = new double[1];
    List<CropEvaluation.Sample> all = CropEvaluation.samples(n, seed);
    for (CropEvaluation.Sample s : all) {
      BufferedImage rgb = ImageOps.toRgb(s.image());
      BufferedImage work = ImageOps.fitWithin(rgb, 560);
      double f = rgb.getWidth() / (double) work.getWidth();
      boolean faces = s.set().equals("faces");
      truth += faces ? s.truth().size() : 0;
      for (int k = 0; k < 2; k++) {
        List<Box> verified = new ArrayList<>();
        for (Box b : detect(work, k == 1, margin, k == 1 ? tuneArea : null)) {
          Box full = new Box(b.x() * f, b.y() * f, b.w() * f, b.h() * f).clamp(rgb.getWidth(), rgb.getHeight());
          // the cascade's hits here have at least 3 neighbours: score 0.5 or more
          if (verifier.verify(rgb, new Detection(full, "face", 0.6f))) {
            verified.add(full);
          }
        }
        for (Box tr : faces ? s.truth() : List.<Box>of()) {
          Box hit = verified.stream().filter(v -> v.iou(tr) > 0.3).findFirst().orElse(null);
          if (hit != null) {
            found[k]++;
            BufferedImage crop = ImageOps.crop(rgb, (int) hit.x(), (int) hit.y(),
                (int) Math.max(1, Math.floor(hit.w())), (int) Math.max(1, Math.floor(hit.h())));
            eyeOnly += k == 0 && FaceVerifier.skinShare(crop) < 0.3 ? 1 : 0;
          }
        }
        for (Box v : verified) {
          wrong[k] += faces && s.truth().stream().anyMatch(tr -> v.iou(tr) > 0.3) ? 0 : 1;
        }
      }
    }
    System.out.printf(Locale.ROOT, "tune: %d true faces; plain %d found and verified, %d false; gated %d, %d false; "
        + "verified with less than 30%% skin (plain) %d; gated share of the image %.2f%n", truth, found[0], wrong[0],
        found[1], wrong[1], eyeOnly, tuneArea[0] / all.size());
  }

  private static List<Box> detect(BufferedImage work, boolean gate, double margin, double[] area) {
    List<Rect> regions = gate ? regions(work, margin) : List.of(new Rect(0, 0, work.getWidth(), work.getHeight()));
    List<Box> out = new ArrayList<>();
    try (Mat gray = gray(work); RectVector all = new RectVector(); IntPointer weights = new IntPointer()) {
      double scanned = 0;
      for (Rect r : regions) {
        scanned += r.width() * (double) r.height();
        if (r.width() < 20 || r.height() < 20) {
          continue;
        }
        try (Mat sub = new Mat(gray, r); RectVector rv = new RectVector()) {
          cascade.detectMultiScale(sub, rv, 1.15, 0, 0, new Size(13, 13), new Size());
          for (long i = 0; i < rv.size(); i++) {
            Rect x = rv.get(i);
            all.push_back(new Rect(x.x() + r.x(), x.y() + r.y(), x.width(), x.height()));
          }
        }
      }
      if (area != null) {
        area[0] += scanned / (work.getWidth() * (double) work.getHeight());
      }
      opencv_objdetect.groupRectangles(all, weights, 3, 0.2);
      for (long i = 0; i < all.size(); i++) {
        Rect x = all.get(i);
        out.add(new Box(x.x(), x.y(), x.width(), x.height()));
      }
    }
    return out;
  }

  /** Skin regions of a quarter-size copy, grown and merged, in {@code work}'s pixels. */
  private static List<Rect> regions(BufferedImage work, double margin) {
    int w = work.getWidth();
    int h = work.getHeight();
    int gw = (w + QUARTER - 1) / QUARTER;
    int gh = (h + QUARTER - 1) / QUARTER;
    BufferedImage s = ImageOps.resize(work, gw, gh);
    byte[] mask = new byte[gw * gh];
    int skin = 0;
    double chroma = 0;
    for (int y = 0; y < gh; y++) {
      for (int x = 0; x < gw; x++) {
        int p = s.getRGB(x, y);
        int r = (p >> 16) & 255;
        int b = p & 255;
        double yy = 0.299 * r + 0.587 * ((p >> 8) & 255) + 0.114 * b;
        chroma += Math.abs((r - yy) * 0.713) + Math.abs((b - yy) * 0.564);
        if (io.sightline.posters.CvImagesAccess.isSkin(p)) {
          mask[y * gw + x] = (byte) 255;
          skin++;
        }
      }
    }
    List<Rect> out = new ArrayList<>();
    if (chroma / (gw * gh) < 6) {
      out.add(new Rect(0, 0, w, h));
      return out;
    }
    if (skin == 0) {
      return out;
    }
    try (Mat m = new Mat(gh, gw, opencv_core.CV_8U); Mat labels = new Mat(); Mat stats = new Mat();
        Mat centroids = new Mat()) {
      m.data().put(mask);
      int count = opencv_imgproc.connectedComponentsWithStats(m, labels, stats, centroids, 8, opencv_core.CV_32S);
      IntPointer st = new IntPointer(stats.data());
      for (int i = 1; i < count; i++) {
        int x = st.get(5L * i);
        int y = st.get(5L * i + 1);
        int cw = st.get(5L * i + 2);
        int ch = st.get(5L * i + 3);
        int pad = (int) Math.ceil(Math.max(24, margin * Math.max(cw, ch) * QUARTER));
        int x0 = Math.max(0, x * QUARTER - pad);
        int y0 = Math.max(0, y * QUARTER - pad);
        out.add(new Rect(x0, y0, Math.min(w, (x + cw) * QUARTER + pad) - x0, Math.min(h, (y + ch) * QUARTER + pad) - y0));
      }
    }
    return merged(out);
  }

  private static List<Rect> merged(List<Rect> rects) {
    List<Rect> out = new ArrayList<>(rects);
    boolean again = true;
    while (again) {
      again = false;
      for (int i = 0; i < out.size() && !again; i++) {
        for (int j = i + 1; j < out.size() && !again; j++) {
          Rect a = out.get(i);
          Rect b = out.get(j);
          if (a.x() < b.x() + b.width() && b.x() < a.x() + a.width() && a.y() < b.y() + b.height()
              && b.y() < a.y() + a.height()) {
            int x0 = Math.min(a.x(), b.x());
            int y0 = Math.min(a.y(), b.y());
            out.set(i, new Rect(x0, y0, Math.max(a.x() + a.width(), b.x() + b.width()) - x0,
                Math.max(a.y() + a.height(), b.y() + b.height()) - y0));
            out.remove(j);
            again = true;
          }
        }
      }
    }
    return out;
  }

  private static Mat gray(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] px = img.getRGB(0, 0, w, h, null, 0, w);
    byte[] b = new byte[w * h * 3];
    for (int i = 0; i < px.length; i++) {
      b[3 * i] = (byte) px[i];
      b[3 * i + 1] = (byte) (px[i] >> 8);
      b[3 * i + 2] = (byte) (px[i] >> 16);
    }
    Mat g = new Mat();
    try (Mat bgr = new Mat(h, w, opencv_core.CV_8UC3)) {
      bgr.data().put(b);
      opencv_imgproc.cvtColor(bgr, g, opencv_imgproc.COLOR_BGR2GRAY);
    }
    opencv_imgproc.equalizeHist(g, g);
    return g;
  }
}
