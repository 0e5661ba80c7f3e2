package io.sightline.commerce;

import io.sightline.core.detect.Box;
import io.sightline.core.image.ImageOps;
import io.sightline.core.instance.InstanceMatch;
import io.sightline.core.instance.LocalFeatureSet;
import io.sightline.core.instance.Matcher;
import io.sightline.core.instance.NoFeaturesException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance-matching half of a search (local and hybrid matchers): matches the photo in a
 * segment's instance index, places each verified match in a proposed region (or a new one), and
 * explains an answer without verified products. Package-private helper of {@link ProductSearcher}.
 */
final class InstanceEvidence {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceEvidence.class);
  /** A verified match joins a region whose box overlaps its own by at least this IoU. */
  static final double REGION_IOU = 0.3;

  /** A region to search: a detection, the whole image, or where instance matching found a product. */
  static final class Proposal {
    final Box box;
    final String label;
    final float score;
    final boolean whole;
    final Intent segment;
    final Map<String, InstanceMatch> verified = new LinkedHashMap<>();

    Proposal(Box box, String label, float score, boolean whole, Intent segment) {
      this.box = box;
      this.label = label;
      this.score = score;
      this.whole = whole;
      this.segment = segment;
    }
  }

  /** The instance candidates of one query: all of them (evidence) and the verified ones with their box. */
  record Instances(Map<String, InstanceMatch> all, List<InstanceMatch> verified, Map<String, Box> boxes,
      String failure) {}

  private final ProductCatalog catalog;
  private final int candidates;
  private final boolean regionQueries;
  private final AtomicLong searches;

  InstanceEvidence(ProductCatalog catalog, int candidates, boolean regionQueries, AtomicLong searches) {
    this.catalog = catalog;
    this.candidates = candidates;
    this.regionQueries = regionQueries;
    this.searches = searches;
  }

  /**
   * Matches the query in the segment's instance index: the whole photo once (the index localises
   * the product itself, so a region the proposer missed is still found), or each proposed
   * region's padded crop in the region-query variant.
   */
  Instances match(BufferedImage image, Intent segment, List<Box> regionCrops) {
    Map<String, InstanceMatch> all = new LinkedHashMap<>();
    Map<String, Box> boxes = new HashMap<>();
    String failure = null;
    List<Box> queries = new ArrayList<>();
    if (regionQueries) {
      queries.addAll(regionCrops);
    } else {
      queries.add(new Box(0, 0, image.getWidth(), image.getHeight()));
    }
    for (Box q : queries) {
      BufferedImage pixels = queries.size() == 1 && q.x() == 0 && q.y() == 0 && q.w() == image.getWidth()
          && q.h() == image.getHeight() ? image : cropExact(image, q);
      List<CatalogInstances.Located> found;
      LocalFeatureSet features;
      try {
        features = catalog.instances().extract(pixels);
        found = catalog.matchInstances(segment, features, candidates);
      } catch (NoFeaturesException e) {
        failure = "the photo has too few local features to be matched by instance (flat, tiny or blurred?)";
        LOG.debug("{}", e.getMessage());
        continue;
      }
      searches.incrementAndGet();
      double sx = pixels.getWidth() / (double) features.width();
      double sy = pixels.getHeight() / (double) features.height();
      for (CatalogInstances.Located l : found) {
        InstanceMatch m = l.match();
        InstanceMatch had = all.get(m.id());
        if (had == null || m.score() > had.score()) {
          all.put(m.id(), m);
          if (m.verified()) {
            // where the whole product is: its extent in the catalog image mapped through the
            // verified transform; else the box of the verified points
            double[] pb = CatalogInstances.project(l.extent(), m.transform());
            Box b = pb == null ? null
                : Box.ofCorners(pb[0] * sx, pb[1] * sy, pb[2] * sx, pb[3] * sy).clamp(pixels.getWidth(), pixels.getHeight());
            if (b == null || b.isEmpty()) {
              double[] r = m.queryRegion();
              b = new Box(r[0] * pixels.getWidth(), r[1] * pixels.getHeight(), r[2] * pixels.getWidth(),
                  r[3] * pixels.getHeight());
            }
            boxes.put(m.id(), new Box(q.x() + b.x(), q.y() + b.y(), b.w(), b.h()));
          }
        }
      }
    }
    List<InstanceMatch> verified = new ArrayList<>();
    for (InstanceMatch m : all.values()) {
      if (m.verified()) {
        verified.add(m);
      }
    }
    verified.sort(Comparator.comparingDouble(InstanceMatch::score).reversed().thenComparing(InstanceMatch::id));
    return new Instances(all, verified, boxes, verified.isEmpty() ? failure : null);
  }

  /**
   * Gives every verified match to a region of its segment: other commodities have one region;
   * for apparel, the proposed region whose box best overlaps the match's (IoU at least
   * {@value #REGION_IOU}), else a new region at the match's box ("instance"), which later matches
   * may join. (A share-of-match rule would let a region spanning the whole backdrop swallow every
   * garment.)
   *
   * @return how many regions were added
   */
  static int assign(Instances inst, Intent segment, List<Proposal> proposals, int width, int height) {
    int added = 0;
    for (InstanceMatch m : inst.verified()) {
      Box mb = inst.boxes().get(m.id()).clamp(width, height);
      Proposal best = null;
      double bestIou = 0;
      for (Proposal p : proposals) {
        if (p.segment != segment) {
          continue;
        }
        if (segment == Intent.OTHER_COMMODITY) {
          best = p;
          break;
        }
        double iou = mb.iou(p.box);
        if (iou > bestIou) {
          bestIou = iou;
          best = p;
        }
      }
      if (best == null || (segment == Intent.APPAREL && bestIou < REGION_IOU)) {
        best = new Proposal(mb, "instance", (float) m.score(), false, segment);
        proposals.add(best);
        added++;
      }
      best.verified.put(m.id(), m);
    }
    return added;
  }

  /** Why the answer holds no verified product, or null. */
  static String note(Instances inst, Matcher matcher) {
    if (inst == null) {
      return null;
    }
    if (inst.failure() != null) {
      return inst.failure() + (matcher == Matcher.LOCAL ? ": no product can be verified"
          : "; the results are global look-alikes");
    }
    if (!inst.verified().isEmpty()) {
      return null;
    }
    if (matcher == Matcher.LOCAL) {
      String best = inst.all().values().stream().max(Comparator.comparingInt(InstanceMatch::inliers))
          .map(m -> " (best candidate " + m.id() + ": " + m.inliers() + " inliers, score "
              + String.format(Locale.ROOT, "%.2f", m.score()) + ")").orElse("");
      return "no product of this catalog is in the photo: geometric verification accepted none of the "
          + inst.all().size() + " candidates" + best;
    }
    return "no product of this catalog was verified in the photo; the results are global look-alikes";
  }

  /** Merges the instances of two segments (a photo searched in both): all evidence, verified first. */
  static Instances merge(Instances a, Instances b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    Map<String, InstanceMatch> all = new LinkedHashMap<>(a.all());
    all.putAll(b.all());
    List<InstanceMatch> verified = new ArrayList<>(a.verified());
    verified.addAll(b.verified());
    Map<String, Box> boxes = new HashMap<>(a.boxes());
    boxes.putAll(b.boxes());
    String failure = verified.isEmpty() ? (a.failure() != null ? a.failure() : b.failure()) : null;
    return new Instances(all, verified, boxes, failure);
  }

  static BufferedImage cropExact(BufferedImage image, Box b) {
    int x = (int) Math.floor(b.x());
    int y = (int) Math.floor(b.y());
    int w = Math.max(1, Math.min(image.getWidth() - x, (int) Math.ceil(b.w())));
    int h = Math.max(1, Math.min(image.getHeight() - y, (int) Math.ceil(b.h())));
    return ImageOps.crop(image, x, y, w, h);
  }
}
