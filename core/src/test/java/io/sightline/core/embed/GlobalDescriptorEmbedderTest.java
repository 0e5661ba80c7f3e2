package io.sightline.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.TestImages;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.Vectors;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class GlobalDescriptorEmbedderTest {
  private final GlobalDescriptorEmbedder emb = new GlobalDescriptorEmbedder();

  @Test
  void unitLengthFiniteAndDeterministic() {
    BufferedImage img = TestImages.synthetic(1, 200, 150);
    float[] a = emb.embed(img);
    assertThat(a).hasSize(emb.dimension());
    assertThat(emb.dimension()).isLessThanOrEqualTo(512);
    assertThat(Vectors.norm(a)).isCloseTo(1.0, within(1e-5));
    assertThat(emb.embed(img)).containsExactly(a);
    for (float f : a) {
      assertThat(Float.isFinite(f)).isTrue();
    }
    // constant images still get a valid unit vector
    assertThat(Vectors.norm(emb.embed(new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB)))).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void nearDuplicatesOfBundledImagesAreFoundFirst() {
    List<Path> files = TestImages.clipart();
    ImageLoader loader = ImageLoader.defaults();
    ExactVectorIndex<String> idx = new ExactVectorIndex<>(emb.dimension(), Metric.COSINE, emb.id());
    List<BufferedImage> images = new ArrayList<>();
    for (Path p : files) {
      BufferedImage img = loader.load(p);
      images.add(img);
      idx.add(p.toString(), emb.embed(img));
    }
    List<UnaryOperator<BufferedImage>> transforms = List.of(
        i -> TestImages.rescale(i, 0.5),
        i -> TestImages.jpegRoundTrip(i, 0.6f),
        i -> TestImages.cropBorders(i, 0.06),
        i -> TestImages.colorShift(i, 1.1, 1.0, 0.9, 10));
    int hits = 0;
    int total = 0;
    for (int i = 0; i < images.size(); i++) {
      for (UnaryOperator<BufferedImage> t : transforms) {
        List<SearchResult<String>> r = idx.search(emb.embed(t.apply(images.get(i))), 1);
        total++;
        if (r.get(0).id().equals(files.get(i).toString())) {
          hits++;
        }
      }
    }
    // recall@1 over 60 clipart images x 4 transforms
    assertThat(hits / (double) total).isGreaterThan(0.9);
  }

  @Test
  void unrelatedImagesAreFartherThanTransformedCopies() {
    BufferedImage a = TestImages.synthetic(10, 300, 200);
    BufferedImage b = TestImages.synthetic(11, 300, 200);
    float[] ea = emb.embed(a);
    float simCopy = Vectors.dot(ea, emb.embed(TestImages.jpegRoundTrip(TestImages.rescale(a, 0.7), 0.7f)));
    float simOther = Vectors.dot(ea, emb.embed(b));
    assertThat(simCopy).isGreaterThan(simOther + 0.1f);
  }
}
