package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.InputFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TagsCsvTest {
  @TempDir
  Path dir;

  private Path csv(String text) throws IOException {
    Path p = dir.resolve("tags.csv");
    Files.writeString(p, text);
    return p;
  }

  @Test
  void readsRowsWithQuotesPostsAndRelativePaths() throws IOException {
    Path p = csv("image,tags,post\n"
        + "a.png,tree|mountain,p1\n"
        + "\"sub/b, c.png\",\"bread|\"\"milk\"\"\",\n"
        + "\n"
        + "/abs/d.png, cake ,\n");
    // absolute paths are refused unless the caller widens the allowed root to cover them
    assertThatThrownBy(() -> TagsCsv.read(p)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("tags.csv:5").hasMessageContaining("absolute path");
    List<TagsCsv.Row> rows = TagsCsv.read(p, Path.of("/"), e -> {
      throw e;
    });
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).tags()).containsExactly("tree", "mountain");
    assertThat(rows.get(0).post()).isEqualTo("p1");
    assertThat(rows.get(0).image()).isEqualTo(dir.toAbsolutePath().resolve("a.png"));
    assertThat(rows.get(1).id()).isEqualTo("sub/b, c.png");
    assertThat(rows.get(1).tags()).containsExactly("bread", "\"milk\"");
    assertThat(rows.get(1).post()).isNull();
    assertThat(rows.get(2).line()).isEqualTo(5);
    assertThat(rows.get(2).image()).isEqualTo(Path.of("/abs/d.png"));
    assertThat(rows.get(2).tags()).containsExactly("cake");
  }

  @Test
  void columnsInAnyOrderAndPostOptional() throws IOException {
    List<TagsCsv.Row> rows = TagsCsv.read(csv("tags,image\nsky,x.png\n"));
    assertThat(rows).singleElement().satisfies(r -> {
      assertThat(r.id()).isEqualTo("x.png");
      assertThat(r.post()).isNull();
    });
  }

  @Test
  void twoSpellingsOfOnePathAreOneImage() throws IOException {
    List<InputFormatException> bad = new ArrayList<>();
    List<TagsCsv.Row> good = TagsCsv.read(csv("image,tags\nimg/g1.png,a\n./img/g1.png,b\nimg/../img/g1.png,c\n"),
        bad::add);
    assertThat(good).singleElement().satisfies(r -> assertThat(r.id()).isEqualTo("img/g1.png"));
    assertThat(bad).extracting(InputFormatException::line).containsExactly(3L, 4L);
    assertThat(bad.get(0)).hasMessageContaining("already listed on line 2");
  }

  @Test
  void rowsWithoutTagsOrImagesAreReportedWithLineNumbers() throws IOException {
    Path p = csv("image,tags,post\nok.png,a,\nnotags.png, | ,\n,b,\nok.png,c,\n\"open,a,\n");
    assertThatThrownBy(() -> TagsCsv.read(p)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("tags.csv:3").hasMessageContaining("no tags")
        .satisfies(e -> assertThat(((InputFormatException) e).line()).isEqualTo(3));
    List<InputFormatException> bad = new ArrayList<>();
    List<TagsCsv.Row> good = TagsCsv.read(p, bad::add);
    assertThat(good).hasSize(1);
    assertThat(bad).extracting(InputFormatException::line).containsExactly(3L, 4L, 5L, 6L);
    assertThat(bad.get(1)).hasMessageContaining("no image");
    assertThat(bad.get(2)).hasMessageContaining("already listed on line 2");
    assertThat(bad.get(3)).hasMessageContaining("unterminated");
  }

  @Test
  void headerAndEmptyFileProblems() throws IOException {
    assertThatThrownBy(() -> TagsCsv.read(csv(""))).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("empty file");
    assertThatThrownBy(() -> TagsCsv.read(csv("file,labels\na,b\n"))).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("'image' and 'tags'");
    assertThatThrownBy(() -> TagsCsv.read(dir.resolve("missing.csv"))).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("file not found");
  }
}
