package io.sightline.examples.tagging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.core.index.Metric;
import io.sightline.examples.CliRun;
import io.sightline.index.lucene.LuceneVectorIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tag train --neighbour-index} keeps the stock's nearest-neighbour index on disk (Lucene,
 * MODEL/neighbours); {@code tag suggest} reads it and answers as a model folder without it does;
 * later {@code tag train} runs keep it in step with the stock.
 */
class TagNeighbourIndexCliTest {
  static final Path CLIPART = TagZeroShotCliTest.CLIPART;

  @TempDir
  Path tmp;

  private Path csv(String name, int every) throws Exception {
    StringBuilder csv = new StringBuilder("image,tags,post\n");
    List<Path> files;
    try (Stream<Path> s = Files.walk(CLIPART)) {
      files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
    for (int i = 0; i < files.size(); i += every) {
      Path rel = CLIPART.relativize(files.get(i));
      csv.append(files.get(i)).append(',').append(rel.getName(0).toString().replace('_', ' ')).append(",\n");
    }
    return Files.writeString(tmp.resolve(name), csv, StandardCharsets.UTF_8);
  }

  private CliRun train(Path csv, Path model, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("tag", "train", "--images", csv.toString(),
        "--allowed-root", CLIPART.toString(), "--model", model.toString(), "--clusters", "3", "--embedder",
        "descriptor"));
    args.addAll(List.of(more));
    CliRun r = CliRun.of(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    return r;
  }

  private static int indexSize(Path model, String embedder, int dimension) {
    try (LuceneVectorIndex<String> idx = LuceneVectorIndex.openReadOnly(model.resolve(TagTrainCommand.NEIGHBOURS),
        dimension, Metric.COSINE, embedder)) {
      return idx.size();
    }
  }

  @Test
  void theIndexOnDiskAnswersAsTheInHeapOneAndFollowsLaterTraining() throws Exception {
    Path half = csv("half.csv", 2);
    Path all = csv("all.csv", 1);
    Path disk = tmp.resolve("disk");
    Path heap = tmp.resolve("heap");
    JsonNode made = train(half, disk, "--neighbour-index").lines().get(0);
    assertThat(made.get("neighbourIndex").asText()).isEqualTo(disk.resolve("neighbours").toString());
    assertThat(train(half, heap).lines().get(0).has("neighbourIndex")).isFalse();
    assertThat(heap.resolve("neighbours")).doesNotExist();
    String embedder = made.get("embedder").asText();
    int dimension = io.sightline.core.embed.GlobalDescriptorEmbedder.DIMENSION;
    assertThat(indexSize(disk, embedder, dimension)).isEqualTo(made.get("images").asInt()).isPositive();

    String[] images = {CLIPART.resolve("transportation/tram.png").toString(),
        CLIPART.resolve("animals/lucchetto_grigio_archite_01.png").toString()};
    for (String image : images) {
      CliRun a = CliRun.of("tag", "suggest", "--model", disk.toString(), "--strategy", "nearest_neighbours", image);
      CliRun b = CliRun.of("tag", "suggest", "--model", heap.toString(), "--strategy", "nearest_neighbours", image);
      assertThat(a.code()).as(a.err()).isZero();
      // the answer came from the index on disk, opened without its write lock
      assertThat(a.err()).contains("neighbours opened read-only: holds the " + made.get("images").asInt());
      assertThat(b.err()).doesNotContain("opened read-only");
      assertThat(a.lines().get(0).get("tags")).as(image).isEqualTo(b.lines().get(0).get("tags"));
      assertThat(a.lines().get(0).get("tags")).isNotEmpty();
    }

    // a later run without the flag adds the other half of the drawings: the index follows
    JsonNode more = train(all, disk).lines().get(0);
    assertThat(more.get("neighbourIndex").asText()).isEqualTo(disk.resolve("neighbours").toString());
    assertThat(more.get("images").asInt()).isGreaterThan(made.get("images").asInt());
    assertThat(indexSize(disk, embedder, dimension)).isEqualTo(more.get("images").asInt());
  }
}
