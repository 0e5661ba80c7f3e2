package io.sightline.crossmodal;

import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * Visual-feature prediction for {@link CrossModalModel#predictImageFeature}: the text with a fully
 * masked grid image goes through the model and the feature head's output for object 0 is read.
 */
final class FeaturePrediction {
  private FeaturePrediction() {}

  static float[] predictImageFeature(CrossModalModel model, String text) {
    ModelConfig config = model.config;
    InputEncoder.Text t = model.checkedText(text);
    int g = Math.max(2, config.grid());
    List<ImageObject> objs = new ArrayList<>();
    List<io.sightline.core.detect.Box> boxes = new ArrayList<>();
    boxes.add(new io.sightline.core.detect.Box(0, 0, 100, 100));
    boxes.addAll(FeatureExtractor.gridCells(100, 100, g));
    int n = Math.min(config.maxObjects(), boxes.size());
    float[][] vis = new float[n][config.visualDim()];
    float[][] spa = new float[n][];
    for (int i = 0; i < n; i++) {
      objs.add(new ImageObject(boxes.get(i), null, i == 0 ? RegionSource.WHOLE_IMAGE : RegionSource.GRID));
      spa[i] = FeatureExtractor.spatial(boxes.get(i), 100, 100);
    }
    ImageFeatures blank = new ImageFeatures(objs, vis, spa, 100, 100);
    boolean[] masked = new boolean[n];
    java.util.Arrays.fill(masked, true);
    int[] targets = new int[t.length()];
    java.util.Arrays.fill(targets, -1);
    InputEncoder.Row row = new InputEncoder.Row(t.ids(), targets, blank, masked, true, 0f, 0f);
    return model.runLocked(m -> model.forward(m, List.of(row)).get(1).get(new NDIndex("0, 0, :")).toFloatArray());
  }
}
