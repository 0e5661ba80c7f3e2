package io.sightline.commerce.eval;

import io.sightline.commerce.IndexReport;
import io.sightline.commerce.Intent;
import io.sightline.commerce.ProductCatalog;
import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.SearchResult;
import io.sightline.core.instance.Matcher;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Does a second catalog image of each product help a new photo find it? Products are openclipart
 * drawings (Debian {@code openclipart-png}, CC0); the catalog holds the drawing itself, and in the
 * second catalog also one studio shot of it (plain backdrop, other scale and rotation, JPEG), in the
 * third one in-context shot (a backdrop cut from photos that no query uses); the queries are new
 * shots on photo backgrounds the catalog never saw (skimage, CC0), each with its own scale and
 * rotation. Whole-image global search (descriptor embedder), same queries for both.
 *
 * <pre>
 * mvn -B -o -q -pl commerce test-compile &amp;&amp; mvn -B -o -q -pl commerce dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt && java -cp "commerce/target/test-classes:commerce/target/classes:$(cat /tmp/cp.txt)" \
 *   io.sightline.commerce.eval.AdditionalViewsEvaluation [products=400] [seed=11]
 * </pre>
 */
public final class AdditionalViewsEvaluation {
  private AdditionalViewsEvaluation() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 11;
    ProductSearchEvaluation shots = new ProductSearchEvaluation(seed);
    ImageLoader loader = ImageLoader.defaults();
    Path oc = DebianData.openclipart();
    Path sk = DebianData.skimage();
    List<BufferedImage> photos = new ArrayList<>();
    for (String p : ProductSearchEvaluation.EVAL_PHOTOS) {
      photos.add(loader.load(sk.resolve(p)));
    }
    List<BufferedImage> otherPhotos = new ArrayList<>(); // backdrops of in-context views, never of queries
    for (String p : ProductSearchEvaluation.TRAIN_PHOTOS) {
      otherPhotos.add(loader.load(sk.resolve(p)));
    }
    List<ProductSearchEvaluation.Item> items = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String c : ProductSearchEvaluation.OTHER_CATEGORIES) {
      for (Path f : ProductSearchEvaluation.pngs(oc.resolve(c))) {
        if (seen.add(f.getFileName().toString())) {
          items.add(new ProductSearchEvaluation.Item("", f, c));
        }
      }
    }
    Collections.shuffle(items, new Random(seed));
    Path work = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "sightline-views-eval"));
    ProductSearchEvaluation.deleteTree(work);
    Files.createDirectories(work.resolve("views"));
    StringBuilder one = new StringBuilder("id,image,category,title,link\n");
    StringBuilder two = new StringBuilder("id,image,category,title,link,additional_images\n");
    StringBuilder ctx = new StringBuilder("id,image,category,title,link,additional_images\n");
    List<BufferedImage> queries = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < items.size() && ids.size() < n; i++) {
      ProductSearchEvaluation.Item it = items.get(i);
      String id = "o" + i;
      Path view = work.resolve("views/" + id + ".png");
      BufferedImage studio;
      try {
        studio = shots.shot(it, null);
      } catch (io.sightline.core.SightlineException e) {
        continue; // e.g. a drawing over the pixel budget: the catalog would refuse it too
      }
      ImageIO.write(studio, "png", view.toFile());
      Path inContext = work.resolve("views/" + id + "-ctx.jpg");
      ImageIO.write(shots.shot(it, otherPhotos), "jpg", inContext.toFile());
      String row = id + "," + it.file().toAbsolutePath() + ",things,t" + i + ",";
      one.append(row).append('\n');
      two.append(row).append(',').append(view).append('\n');
      ctx.append(row).append(',').append(inContext).append('\n');
      queries.add(shots.shot(it, photos));
      ids.add(id);
    }
    System.out.printf(Locale.ROOT, "%d products, %d queries (seed %d), load average %.2f%n", ids.size(), queries.size(),
        seed, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println("| catalog | P@1 | R@10 | index s |");
    System.out.println("|---|---|---|---|");
    List<String> names = List.of("one image per product", "+ one studio shot", "+ one in-context shot (other photos)");
    List<StringBuilder> csvs = List.of(one, two, ctx);
    for (int c = 0; c < names.size(); c++) {
      String name = names.get(c);
      Path csv = Files.writeString(work.resolve("catalog" + c + ".csv"), csvs.get(c));
      Path db = work.resolve("db" + c);
      try (ProductCatalog cat = ProductCatalog.builder().directory(db).matcher(Matcher.GLOBAL).open()) {
        long t0 = System.nanoTime();
        IndexReport r = cat.index(csv, Path.of("/"), ProgressListener.NONE, CancellationToken.NONE);
        double sec = (System.nanoTime() - t0) / 1e9;
        Set<String> refused = new HashSet<>();
        r.problems().forEach(p -> refused.add(p.id()));
        int q = 0;
        int top1 = 0;
        int top10 = 0;
        for (int i = 0; i < queries.size(); i++) {
          if (refused.contains(ids.get(i))) {
            continue;
          }
          float[] v = cat.embedder(Intent.OTHER_COMMODITY).embed(queries.get(i));
          List<String> hits = cat.search(Intent.OTHER_COMMODITY, v, 10).stream().map(SearchResult::id).toList();
          q++;
          top1 += !hits.isEmpty() && hits.get(0).equals(ids.get(i)) ? 1 : 0;
          top10 += hits.contains(ids.get(i)) ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.1f |%n", name, top1 / (double) q, top10 / (double) q, sec);
      }
    }
  }
}
