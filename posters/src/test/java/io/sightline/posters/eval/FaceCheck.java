package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.CropSearch;
import io.sightline.posters.ImageAnalysis;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import java.util.List;

/** Development aid: how many true faces pass verification, and the scenes where the 9:16 crop cuts a face in part. */
public final class FaceCheck {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
    List<CropEvaluation.Sample> all = CropEvaluation.samples(n, seed, args.length > 2 && args[2].equals("--photo-subjects"));
    PosterTemplate t = new PosterTemplate("eval", 90, 160, List.of(), List.of());
    io.sightline.posters.FaceVerifier verifier = new io.sightline.posters.FaceVerifier();
    try (PosterComposer c = PosterComposer.builder().template(t).build()) {
      int truth = 0;
      int verified = 0;
      int rejected = 0;
      int falseKept = 0;
      for (CropEvaluation.Sample s : all) {
        if (!s.set().equals("faces")) {
          // subject scenes have no pasted face: a verified face there is the background's own
          // (two of the backgrounds show people) or a false one; printed for a look
          ImageAnalysis sa = c.analyze(s.image());
          for (Detection d : sa.targets()) {
            Box b = d.box().clamp(s.image().getWidth(), s.image().getHeight());
            java.awt.image.BufferedImage crop = s.image().getSubimage((int) b.x(), (int) b.y(),
                Math.max(1, (int) b.w()), Math.max(1, (int) b.h()));
            System.out.printf(java.util.Locale.ROOT, "subject scene %s: verified score=%.3f skin=%.2f eyes=%d box=%s%n",
                s.set(), d.score(), io.sightline.posters.FaceVerifier.skinShare(crop), verifier.eyes(crop), b);
          }
          continue;
        }
        ImageAnalysis an = c.analyze(s.image());
        for (Box f : s.truth()) {
          truth++;
          if (an.targets().stream().anyMatch(d -> d.box().iou(f) > 0.3)) {
            verified++;
          }
          if (an.rejectedTargets().stream().anyMatch(d -> d.box().iou(f) > 0.3)) {
            rejected++;
          }
        }
        for (Detection d : an.targets()) {
          boolean real = s.truth().stream().anyMatch(f -> d.box().iou(f) > 0.3);
          Box b = d.box().clamp(s.image().getWidth(), s.image().getHeight());
          java.awt.image.BufferedImage crop = s.image().getSubimage((int) b.x(), (int) b.y(),
              Math.max(1, (int) b.w()), Math.max(1, (int) b.h()));
          System.out.printf(java.util.Locale.ROOT, "verified %s score=%.3f skin=%.2f eyes=%d size=%.0f%n",
              real ? "true " : "FALSE", d.score(), io.sightline.posters.FaceVerifier.skinShare(crop),
              verifier.eyes(crop), b.w());
          if (!real) {
            falseKept++;
          }
        }
        List<Box> faces = an.targets().stream().map(Detection::box).toList();
        Box crop = new CropSearch().search(1280, 720, AspectRatio.PORTRAIT_9_16, an.importance(), faces,
            an.salient(), c.planner()).crop();
        boolean partial = s.truth().stream().map(f -> crop.intersection(f).area() / f.area())
            .anyMatch(k -> k > 0.001 && k < 0.999);
        Box win = io.sightline.posters.CropPlanner.window(1280, 720, AspectRatio.PORTRAIT_9_16, 640, 360);
        Box union = s.truth().stream().reduce(Box::union).orElseThrow();
        boolean fits = union.w() <= win.w() && union.h() <= win.h();
        boolean allWhole = s.truth().stream().allMatch(f -> crop.intersection(f).area() / f.area() >= 0.999);
        if (fits && !allWhole) {
          long found = s.truth().stream().filter(f -> faces.stream().anyMatch(d -> d.iou(f) > 0.3)).count();
          System.out.println("fits, not all whole (" + found + " of " + s.truth().size() + " verified): truth="
              + s.truth() + " verified=" + faces + " salient=" + an.salient() + " crop=" + crop);
        }
        if (partial) {
          System.out.println("cut: truth=" + s.truth() + " verified=" + faces + " rejected="
              + an.rejectedTargets().stream().map(d -> d.box() + "@" + d.score()).toList() + " crop=" + crop);
        }
      }
      System.out.printf("true faces %d, verified %d, rejected %d, false faces kept %d%n", truth, verified, rejected,
          falseKept);
    }
  }
}
