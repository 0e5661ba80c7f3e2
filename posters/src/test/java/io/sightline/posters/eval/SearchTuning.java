package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.CropPlanner;
import io.sightline.posters.CropSearch;
import io.sightline.posters.ImportanceMap;
import io.sightline.posters.OpenCvSaliency;
import io.sightline.posters.SaliencyMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tunes the importance weights and search weights on the pasted-subject TUNE split (seed 7; the
 * reported evaluation uses seed 1). Each argument is one configuration
 * {@code edge,sat,skin,spectral,fine,colour,power,cutWeight,thirdsWeight}.
 *
 * <p>Run: {@code java -cp ... io.sightline.posters.eval.SearchTuning 0.15,0.15,0.1,0.15,0.1,0.35,1,3,0.05}.
 */
public final class SearchTuning {
  public static void main(String[] args) throws Exception {
    int n = Integer.getInteger("n", 80);
    List<CropEvaluation.Sample> all = CropEvaluation.samples(n, 7);
    List<CropEvaluation.Sample> subj = all.stream().filter(s -> s.set().equals("subjects")).toList();
    List<SaliencyMap> sr = new ArrayList<>();
    for (CropEvaluation.Sample s : subj) {
      sr.add(OpenCvSaliency.spectralResidual().compute(s.image()));
    }
    CropPlanner planner = new CropPlanner();
    for (String a : args) {
      String[] p = a.split(",");
      double[] v = new double[p.length];
      for (int i = 0; i < p.length; i++) {
        v[i] = Double.parseDouble(p[i]);
      }
      ImportanceMap.Weights w = new ImportanceMap.Weights(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
      CropSearch search = new CropSearch(new double[] {1.0, 0.9, 0.8}, v[7], v[8], 0.1, 0.6);
      double kept = 0;
      int whole = 0;
      for (int i = 0; i < subj.size(); i++) {
        CropEvaluation.Sample s = subj.get(i);
        ImportanceMap m = ImportanceMap.compute(s.image(), sr.get(i), v[4] > 0, w);
        Box c = search.search(s.image().getWidth(), s.image().getHeight(), AspectRatio.PORTRAIT_9_16, m, List.of(),
            null, planner).crop();
        Box t = s.truth().get(0);
        double k = c.intersection(t).area() / t.area();
        kept += k;
        whole += k >= 0.999 ? 1 : 0;
      }
      System.out.printf(Locale.ROOT, "%s kept %.3f whole %.3f%n", a, kept / subj.size(), whole / (double) subj.size());
    }
  }
}
