package io.sightline.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.image.ImageLoader;
import io.sightline.core.onnx.OnnxImageEmbedder;
import io.sightline.core.onnx.OnnxTextEmbedder;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped image encoder and MiniLM, loaded as users load them, on drawings of families the
 * encoder never saw (test resources {@code heldout/}, see its README): each drawing against the
 * nine concept words.
 */
class ShippedModelTest {
  static final Map<String, String> CONCEPTS = new LinkedHashMap<>();

  static {
    CONCEPTS.put("dog", "dog");
    CONCEPTS.put("goat", "goat");
    CONCEPTS.put("pie", "pie");
    CONCEPTS.put("potato_chips", "potato chips");
    CONCEPTS.put("stop_sign", "stop sign");
    CONCEPTS.put("turkey", "turkey");
    CONCEPTS.put("sailing_boat", "sailing boat");
    CONCEPTS.put("car", "car");
    CONCEPTS.put("dulcimer", "musical instrument");
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void heldOutDrawingsAreClosestToTheirOwnConceptMostOfTheTime() throws Exception {
    try (OnnxImageEmbedder images = SightlineModels.clipartImageEmbedder();
         OnnxTextEmbedder texts = SightlineModels.textEmbedder()) {
      assertThat(images.dimension()).isEqualTo(SightlineModels.DIMENSION).isEqualTo(texts.dimension());
      List<String> files = new ArrayList<>(CONCEPTS.keySet());
      List<float[]> words = texts.embedAll(new ArrayList<>(CONCEPTS.values()));
      int top1 = 0;
      int top3 = 0;
      StringBuilder log = new StringBuilder();
      for (int i = 0; i < files.size(); i++) {
        BufferedImage img = ImageLoader.defaults().load(Path.of("src/test/resources/heldout", files.get(i) + ".png"));
        float[] v = images.embed(img);
        assertThat(dot(v, v)).isCloseTo(1.0, within(1e-4));
        double own = dot(v, words.get(i));
        int better = 0;
        for (int j = 0; j < words.size(); j++) {
          better += j != i && dot(v, words.get(j)) > own ? 1 : 0;
        }
        top1 += better == 0 ? 1 : 0;
        top3 += better < 3 ? 1 : 0;
        log.append(files.get(i)).append(" rank ").append(better + 1).append("; ");
      }
      // chance: 1 in 9 at rank 1, 3 in 9 in the top 3
      assertThat(top1).as(log.toString()).isGreaterThanOrEqualTo(MIN_TOP1);
      assertThat(top3).as(log.toString()).isGreaterThanOrEqualTo(MIN_TOP3);
    }
  }

  /**
   * Fixed before the shipped version was measured, well above chance (1 and 3 of 9); the shipped
   * version ranks 5 of 9 first and 7 of 9 in the top three (MODEL_CARD.md).
   */
  static final int MIN_TOP1 = 4;
  static final int MIN_TOP3 = 6;

  @Test
  void modelFilesAreCopiedOutOnceAndReused() {
    Path a = SightlineModels.clipartModelFile();
    Path b = SightlineModels.clipartModelFile();
    assertThat(a).isEqualTo(b).isRegularFile();
    assertThat(a.getParent().getFileName().toString()).hasSize(16);
  }
}
