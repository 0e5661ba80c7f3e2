package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on images with the default (training-free) embedder. */
class ImageTaggingTest {
  @TempDir
  Path dir;

  /** A picture dominated by one hue with random shapes, so images of one kind vary. */
  static BufferedImage picture(Color base, Color shapes, Random rnd) {
    BufferedImage img = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(base);
    g.fillRect(0, 0, 96, 96);
    g.setColor(shapes);
    for (int i = 0; i < 4; i++) {
      g.fillOval(rnd.nextInt(70), rnd.nextInt(70), 10 + rnd.nextInt(20), 10 + rnd.nextInt(20));
    }
    g.dispose();
    return img;
  }

  @Test
  void importsTagsCsvTrainsAndSuggestsForNewImages() throws IOException {
    Random rnd = new Random(3);
    Color[][] kinds = {{new Color(20, 90, 200), Color.WHITE}, {new Color(30, 140, 40), new Color(90, 60, 20)},
        {new Color(230, 200, 40), Color.RED}};
    String[] tags = {"sea|sky", "forest|tree", "sun|summer"};
    StringBuilder csv = new StringBuilder("image,tags,post\n");
    Files.createDirectories(dir.resolve("img"));
    for (int k = 0; k < 3; k++) {
      for (int i = 0; i < 8; i++) {
        String name = "img/k" + k + "_" + i + ".png";
        ImageIO.write(picture(kinds[k][0], kinds[k][1], rnd), "png", dir.resolve(name).toFile());
        csv.append(name).append(',').append(tags[k]).append(",post").append(k).append('_').append(i / 2).append('\n');
      }
    }
    Path tagsCsv = dir.resolve("tags.csv");
    Files.writeString(tagsCsv, csv);
    try (GlobalDescriptorEmbedder embedder = new GlobalDescriptorEmbedder();
         TagRecommender r = TagRecommender.builder().embedder(embedder).directory(dir.resolve("model"))
             .clustering(ClusteringOptions.defaults().withClusters(3).withInit(CentreInit.KMEANS_PLUS_PLUS))
             .build()) {
      List<String> progress = new ArrayList<>();
      assertThat(r.importCsv(tagsCsv, (t, d, n, m) -> progress.add(t), CancellationToken.NONE)).isEqualTo(24);
      assertThat(progress).contains("embed");
      r.train(ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.model().orElseThrow().cluster(0).posts()).isLessThanOrEqualTo(12);
      for (int k = 0; k < 3; k++) {
        TagSuggestion s = r.suggest(picture(kinds[k][0], kinds[k][1], new Random(100 + k)));
        assertThat(s.tagNames()).containsExactlyInAnyOrder(tags[k].split("\\|"));
      }
      Path unseen = dir.resolve("unseen.png");
      ImageIO.write(picture(kinds[1][0], kinds[1][1], new Random(7)), "png", unseen.toFile());
      assertThat(r.suggest(unseen).tagNames()).contains("forest");
    }
  }

  @Test
  void unreadableImageIsReportedWithItsLineAndNothingIsStored() throws IOException {
    Files.writeString(dir.resolve("broken.png"), "not a png");
    ImageIO.write(picture(Color.BLUE, Color.WHITE, new Random(1)), "png", dir.resolve("ok.png").toFile());
    Path csv = dir.resolve("tags.csv");
    Files.writeString(csv, "image,tags,post\nok.png,sea,\nbroken.png,sea,\n");
    try (GlobalDescriptorEmbedder embedder = new GlobalDescriptorEmbedder();
         TagRecommender r = TagRecommender.builder().embedder(embedder).build()) {
      assertThatThrownBy(() -> r.importCsv(csv, ProgressListener.NONE, CancellationToken.NONE))
          .isInstanceOf(InputFormatException.class).hasMessageContaining("tags.csv:3")
          .hasMessageContaining("broken.png");
      assertThat(r.stockSize()).isZero();
    }
  }

  @Test
  void everyRowWithoutTagsOrImageIsListedWithItsLine() throws IOException {
    Path csv = dir.resolve("tags.csv");
    Files.writeString(csv, "image,tags,post\nok.png,sea,\nnotags.png,,\n,lonely,\nalso.png, | ,\n");
    try (GlobalDescriptorEmbedder embedder = new GlobalDescriptorEmbedder();
         TagRecommender r = TagRecommender.builder().embedder(embedder).build()) {
      assertThatThrownBy(() -> r.importCsv(csv, ProgressListener.NONE, CancellationToken.NONE))
          .isInstanceOf(InputFormatException.class)
          .hasMessageContaining("tags.csv:3").hasMessageContaining("3 bad row(s)")
          .hasMessageContaining("line 3: image 'notags.png' has no tags")
          .hasMessageContaining("line 4: row has no image")
          .hasMessageContaining("line 5: image 'also.png' has no tags");
      assertThat(r.stockSize()).isZero();
    }
  }
}
