package io.sightline.examples.commerce;

import io.sightline.commerce.EmbeddingIntentClassifier;
import io.sightline.commerce.IndexReport;
import io.sightline.commerce.Intent;
import io.sightline.commerce.IntentSample;
import io.sightline.commerce.ProductCatalog;
import io.sightline.commerce.ProductSearchResult;
import io.sightline.commerce.ProductSearcher;
import io.sightline.commerce.RegionResult;
import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.image.Distortions;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.demo.DemoStep;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Product search demo: the bundled clipart becomes a product catalog (category = top folder),
 * plus nine drawn garments under {@code apparel/...}; an intent gate is trained on photo crops
 * (non-commodity), clipart product shots (other-commodity) and drawn outfits (apparel); then a
 * mixed stream is searched: held-out photo crops (should be skipped), clipart products rescaled,
 * rotated and JPEG-compressed on a light backdrop (should find themselves), and outfits of three
 * garments (should give three regions, each finding its garment). Other-commodity queries use the
 * main-object variant; product top-1 is reported with the default (calibrated) filters and with the seed's filters. The catalog has
 * the default matcher ({@code Matcher.DEFAULT}, hybrid: verified instance matches first, then the global results),
 * reported as {@code matcher} in the summary. Writes {@code catalog.csv},
 * {@code intent.csv}, the catalog folder {@code db/} and {@code results.jsonl}.
 */
public final class ProductSearchDemo implements DemoStep {
  @Override
  public String name() {
    return "product";
  }

  @Override
  public Map<String, Object> run(Path data, Path out) throws Exception {
    ImageLoader loader = ImageLoader.defaults();
    List<Path> clipart;
    try (Stream<Path> s = Files.walk(data.resolve("clipart"))) {
      clipart = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
    List<Path> photos;
    try (Stream<Path> s = Files.list(data.resolve("photos"))) {
      photos = s.sorted().toList();
    }
    if (clipart.isEmpty() || photos.isEmpty()) {
      throw new IllegalStateException(data + " lacks clipart/ or photos/");
    }
    Path img = out.resolve("images");
    Files.createDirectories(img);

    // catalog: clipart products + drawn garments
    StringBuilder catalog = new StringBuilder("id,image,category,title,link\n");
    for (int i = 0; i < clipart.size(); i++) {
      Path p = clipart.get(i);
      String cat = data.resolve("clipart").relativize(p).getName(0).toString();
      catalog.append("c").append(i).append(',').append(p.toAbsolutePath()).append(',').append(cat).append(',')
          .append(p.getFileName().toString().replace(".png", "").replace(',', ' ')).append(",\n");
    }
    String[] kinds = {"shirt", "trousers", "shoes"};
    for (int k = 0; k < 3; k++) {
      for (int s = 0; s < 3; s++) {
        Path f = img.resolve("garment-" + kinds[k] + s + ".png");
        ImageIO.write(garment(k, 10 * k + s), "png", f.toFile());
        catalog.append("g").append(k).append(s).append(',').append(f.toAbsolutePath()).append(",apparel/")
            .append(kinds[k]).append(',').append(kinds[k]).append(' ').append(s).append(",\n");
      }
    }
    Path catalogCsv = Files.writeString(out.resolve("catalog.csv"), catalog);

    // intent training set
    Random rnd = new Random(5);
    StringBuilder intent = new StringBuilder("image,intent\n");
    int n = 0;
    for (Path p : photos) {
      BufferedImage photo = loader.load(p);
      for (int c = 0; c < 6; c++) {
        Path f = img.resolve("train-photo" + n++ + ".jpg");
        ImageIO.write(randomCrop(photo, rnd), "jpg", f.toFile());
        intent.append(f.toAbsolutePath()).append(",non-commodity\n");
      }
    }
    for (int i = 0; i < clipart.size(); i += 2) {
      Path f = img.resolve("train-product" + i + ".png");
      ImageIO.write(onBackdrop(loader.load(clipart.get(i)), rnd, 0, 1.0), "png", f.toFile());
      intent.append(f.toAbsolutePath()).append(",other-commodity\n");
    }
    for (int i = 0; i < 20; i++) {
      Path f = img.resolve("train-outfit" + i + ".png");
      ImageIO.write(outfit(rnd, 100 + i), "png", f.toFile());
      intent.append(f.toAbsolutePath()).append(",apparel\n");
    }
    Path intentCsv = Files.writeString(out.resolve("intent.csv"), intent);
    // the files name images in the bundled data and in this step's own folder: allow both
    Path allowed = commonFolder(data, out);

    GlobalDescriptorEmbedder embedder = new GlobalDescriptorEmbedder();
    EmbeddingIntentClassifier model = EmbeddingIntentClassifier.trainer(embedder)
        .train(IntentSample.readCsv(intentCsv, allowed), ProgressListener.NONE, CancellationToken.NONE);
    Map<String, Object> summary = new LinkedHashMap<>();
    try (ProductCatalog cat = ProductCatalog.builder().directory(out.resolve("db")).open()) {
      IndexReport report = cat.index(catalogCsv, allowed, ProgressListener.NONE, CancellationToken.NONE);
      cat.saveIntentModel(model);
      ProductSearcher searcher = ProductSearcher.builder().catalog(cat).intentClassifier(model)
          .otherCommodityMainObject(true).build();
      // the same search with the seed's filters (its example thresholds, nothing pinned), for comparison
      ProductSearcher rankOnly = ProductSearcher.builder().catalog(cat).intentClassifier(model)
          .otherCommodityMainObject(true).filters(io.sightline.commerce.FilterPreset.SEED).build();
      int productQueries = 0;
      int productTop1 = 0;
      int productTop1RankOnly = 0;
      int photoQueries = 0;
      int photoSkipped = 0;
      int outfitRegions = 0;
      int outfitHits = 0;
      try (BufferedWriter w = Files.newBufferedWriter(out.resolve("results.jsonl"), StandardCharsets.UTF_8)) {
        for (Path p : photos) {
          BufferedImage q = randomCrop(loader.load(p), new Random(p.hashCode()));
          ProductSearchResult r = searcher.search(q, "crop of " + p.getFileName());
          photoQueries++;
          photoSkipped += r.searched() ? 0 : 1;
          w.write(CliSupport.JSON.writeValueAsString(ProductSearchCommand.toJson(r)) + "\n");
        }
        for (int i = 1; i < clipart.size(); i += 4) {
          BufferedImage q = Distortions.jpeg(onBackdrop(loader.load(clipart.get(i)), rnd, 8, 0.7), 0.7f);
          ProductSearchResult r = searcher.search(q, clipart.get(i).getFileName().toString());
          productQueries++;
          String want = "c" + i;
          if (r.searched() && r.regions().stream()
              .anyMatch(g -> !g.results().isEmpty() && g.results().get(0).id().equals(want))) {
            productTop1++;
          }
          ProductSearchResult r2 = rankOnly.search(q, clipart.get(i).getFileName().toString());
          if (r2.searched() && r2.regions().stream()
              .anyMatch(g -> !g.results().isEmpty() && g.results().get(0).id().equals(want))) {
            productTop1RankOnly++;
          }
          w.write(CliSupport.JSON.writeValueAsString(ProductSearchCommand.toJson(r)) + "\n");
        }
        for (int s = 0; s < 3; s++) {
          BufferedImage q = outfitOf(new BufferedImage[] {garment(0, s), garment(1, 10 + s), garment(2, 20 + s)});
          ProductSearchResult r = searcher.search(q, "outfit " + s);
          for (RegionResult g : r.regions()) {
            outfitRegions++;
            if (!g.results().isEmpty() && g.results().get(0).id().endsWith(String.valueOf(s))
                && g.results().get(0).id().startsWith("g")) {
              outfitHits++;
            }
          }
          w.write(CliSupport.JSON.writeValueAsString(ProductSearchCommand.toJson(r)) + "\n");
        }
      }
      summary.put("catalog", report.catalogSize());
      summary.put("matcher", cat.matcher().id());
      summary.put("intentTrainingAccuracy", Math.round(model.summary().trainingAccuracy() * 1000) / 1000.0);
      summary.put("photoQueries", photoQueries);
      summary.put("photosSkipped", photoSkipped);
      summary.put("productQueries", productQueries);
      summary.put("productTop1", productTop1);
      summary.put("productTop1SeedFilters", productTop1RankOnly);
      summary.put("outfitRegions", outfitRegions);
      summary.put("outfitRegionTop1", outfitHits);
      summary.put("skippedShare", Math.round(searcher.stats().skippedShare() * 1000) / 1000.0);
      summary.put("results", out.resolve("results.jsonl").toString());
    }
    return summary;
  }

  private static BufferedImage randomCrop(BufferedImage photo, Random rnd) {
    int w = photo.getWidth();
    int h = photo.getHeight();
    int cw = (int) (w * (0.5 + 0.4 * rnd.nextDouble()));
    int ch = (int) (h * (0.5 + 0.4 * rnd.nextDouble()));
    return ImageOps.fitWithin(ImageOps.crop(photo, rnd.nextInt(w - cw + 1), rnd.nextInt(h - ch + 1), cw, ch), 320);
  }

  /** The product on a light, slightly tinted backdrop, optionally rotated and shrunk. */
  private static BufferedImage onBackdrop(BufferedImage product, Random rnd, double maxDegrees, double scale) {
    BufferedImage p = ImageOps.fitWithin(product, (int) (240 * scale));
    int size = 300;
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    int tone = 225 + rnd.nextInt(25);
    g.setColor(new Color(tone, tone - rnd.nextInt(8), tone - rnd.nextInt(12)));
    g.fillRect(0, 0, size, size);
    g.rotate(Math.toRadians((rnd.nextDouble() * 2 - 1) * maxDegrees), size / 2.0, size / 2.0);
    g.drawImage(p, (size - p.getWidth()) / 2, (size - p.getHeight()) / 2, null);
    g.dispose();
    return out;
  }

  private static BufferedImage outfit(Random rnd, long seed) {
    Random r = new Random(seed);
    int k = 1 + r.nextInt(3);
    BufferedImage[] parts = new BufferedImage[k];
    for (int i = 0; i < k; i++) {
      parts[i] = garment(r.nextInt(3), 1000 + seed * 7 + i);
    }
    return outfitOf(parts);
  }

  private static BufferedImage outfitOf(BufferedImage[] parts) {
    int gap = 30;
    int w = gap;
    for (BufferedImage p : parts) {
      w += p.getWidth() + gap;
    }
    BufferedImage img = new BufferedImage(w, 120 + 2 * gap, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(228, 230, 233));
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.dispose();
    int x = gap;
    for (BufferedImage p : parts) {
      for (int yy = 0; yy < p.getHeight(); yy++) {
        for (int xx = 0; xx < p.getWidth(); xx++) {
          int c = p.getRGB(xx, yy) & 0xffffff;
          if (c != 0xffffff) {
            img.setRGB(x + xx, gap + yy, c);
          }
        }
      }
      x += p.getWidth() + gap;
    }
    return img;
  }

  /** A drawn garment on white: kind 0 shirt, 1 trousers, 2 shoe; the seed picks colours and pattern. */
  static BufferedImage garment(int kind, long seed) {
    Random r = new Random(seed);
    BufferedImage img = new BufferedImage(120, 120, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 120, 120);
    Color main = Color.getHSBColor(r.nextFloat(), 0.5f + 0.5f * r.nextFloat(), 0.3f + 0.6f * r.nextFloat());
    Color accent = Color.getHSBColor(r.nextFloat(), 0.5f + 0.5f * r.nextFloat(), 0.3f + 0.6f * r.nextFloat());
    Polygon shape = switch (kind) {
      case 0 -> new Polygon(new int[] {10, 40, 80, 110, 100, 85, 85, 35, 35, 20},
          new int[] {30, 8, 8, 30, 50, 42, 112, 112, 42, 50}, 10);
      case 1 -> new Polygon(new int[] {30, 90, 100, 72, 60, 48, 20}, new int[] {6, 6, 114, 114, 40, 114, 114}, 7);
      default -> new Polygon(new int[] {6, 50, 60, 112, 114, 6}, new int[] {40, 40, 62, 74, 100, 100}, 6);
    };
    g.setColor(main);
    g.fillPolygon(shape);
    g.setClip(shape);
    g.setColor(accent);
    int step = 8 + 3 * r.nextInt(4);
    for (int i = 0; i < 14; i++) {
      if (r.nextBoolean()) {
        g.fillRect(0, i * step, 120, 4);
      } else {
        g.fillRect(i * step, 0, 4, 120);
      }
    }
    g.dispose();
    return img;
  }

  /** The deepest folder containing both {@code a} and {@code b}. */
  static Path commonFolder(Path a, Path b) {
    Path x = a.toAbsolutePath().normalize();
    Path y = b.toAbsolutePath().normalize();
    while (x != null && !y.startsWith(x)) {
      x = x.getParent();
    }
    return x == null ? y.getRoot() : x;
  }
}
