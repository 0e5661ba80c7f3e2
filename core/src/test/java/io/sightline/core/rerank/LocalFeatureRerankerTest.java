package io.sightline.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ImageDecodeException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LocalFeatureRerankerTest {
  static final LocalFeatureReranker RERANKER = LocalFeatureReranker.defaults();
  static BufferedImage object;
  static BufferedImage unrelated;
  static BufferedImage query;

  /** A richly textured "object": random shapes, lines and text. */
  static BufferedImage texture(long seed, int w, int h) {
    Random rnd = new Random(seed);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(new Color(rnd.nextInt(1 << 24)));
    g.fillRect(0, 0, w, h);
    for (int i = 0; i < 60; i++) {
      g.setColor(new Color(rnd.nextInt(1 << 24)));
      int x = rnd.nextInt(w);
      int y = rnd.nextInt(h);
      int s = 8 + rnd.nextInt(50);
      switch (rnd.nextInt(4)) {
        case 0 -> g.fillRect(x, y, s, 8 + rnd.nextInt(50));
        case 1 -> g.fillOval(x, y, s, 8 + rnd.nextInt(50));
        case 2 -> {
          g.setStroke(new BasicStroke(1 + rnd.nextInt(4)));
          g.drawLine(x, y, rnd.nextInt(w), rnd.nextInt(h));
        }
        default -> {
          g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12 + rnd.nextInt(20)));
          g.drawString(Long.toString(rnd.nextLong(), 36), x - 40, y);
        }
      }
    }
    g.dispose();
    return img;
  }

  /** The object rotated by 25 degrees, scaled by 0.75, on a cluttered background, one corner hidden. */
  static BufferedImage shot(BufferedImage obj) {
    BufferedImage scene = texture(999, 520, 440);
    Graphics2D g = scene.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    AffineTransform t = new AffineTransform();
    t.translate(270, 60);
    t.rotate(Math.toRadians(25));
    t.scale(0.75, 0.75);
    g.drawImage(obj, t, null);
    g.setColor(new Color(40, 40, 40));
    g.fillRect(120, 230, 160, 130); // occlude part of the object
    g.dispose();
    return scene;
  }

  @BeforeAll
  static void images() {
    object = texture(1, 400, 360);
    unrelated = texture(2, 400, 360);
    query = shot(object);
  }

  @Test
  void sameObjectBeatsUnrelatedByAClearInlierMargin() {
    LocalFeatures q = RERANKER.computeFeatures(query);
    LocalFeatureReranker.Verification same = RERANKER.verify(q, RERANKER.computeFeatures(object));
    LocalFeatureReranker.Verification other = RERANKER.verify(q, RERANKER.computeFeatures(unrelated));
    assertThat(same.inliers()).as("inliers with the same object").isGreaterThanOrEqualTo(40);
    assertThat(other.inliers()).as("inliers with an unrelated image").isLessThan(12);
    assertThat(same.inliers()).isGreaterThan(4 * Math.max(other.inliers(), 5));
    assertThat(same.matches()).isGreaterThanOrEqualTo(same.inliers());
  }

  @Test
  void rerankMovesTheVerifiedCandidateToTheTopWithEvidence() {
    LocalFeatures objectFeatures = RERANKER.computeFeatures(object);
    List<LocalFeatureReranker.Candidate<String>> candidates = List.of(
        LocalFeatureReranker.Candidate.of("unrelated", unrelated, 0.9),
        LocalFeatureReranker.Candidate.of("other", texture(3, 300, 300), 0.8),
        LocalFeatureReranker.Candidate.of("object", objectFeatures, 0.5));
    List<LocalFeatureReranker.Reranked<String>> out = RERANKER.rerank(query, candidates);
    assertThat(out).extracting(LocalFeatureReranker.Reranked::id).containsExactly("object", "unrelated", "other");
    LocalFeatureReranker.Reranked<String> top = out.get(0);
    assertThat(top.verified()).isTrue();
    assertThat(top.originalRank()).isEqualTo(2);
    assertThat(top.priorScore()).isEqualTo(0.5);
    assertThat(top.score()).isEqualTo(0.5 + Math.min(1.0, top.inliers() / 60.0));
    assertThat(out.get(1).verified()).isFalse();
    assertThat(out.get(1).score()).isEqualTo(0.9);
  }

  @Test
  void cachedFeaturesSurviveSerialisationAndGiveTheSameEvidence() throws Exception {
    LocalFeatures f = RERANKER.computeFeatures(object);
    assertThat(f.count()).isGreaterThan(200);
    assertThat(f.descriptorBytes()).isEqualTo(32);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(f);
    }
    LocalFeatures back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (LocalFeatures) in.readObject();
    }
    LocalFeatures q = RERANKER.computeFeatures(query);
    assertThat(RERANKER.verify(q, back)).isEqualTo(RERANKER.verify(q, f));
  }

  @Test
  void blankImagesGiveNoEvidenceAndNullIsTyped() {
    BufferedImage blank = new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB);
    LocalFeatures none = RERANKER.computeFeatures(blank);
    assertThat(none.count()).isZero();
    assertThat(RERANKER.verify(RERANKER.computeFeatures(object), none).inliers()).isZero();
    assertThatThrownBy(() -> RERANKER.computeFeatures(null)).isInstanceOf(ImageDecodeException.class);
  }
}
