package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PathTagsTest {
  @Test
  void foldersThenTitleWords() {
    Path root = Path.of("/data/png");
    assertThat(PathTags.of(root, root.resolve("food/fruit/apple_red_the_01.png")))
        .containsExactly("food", "fruit", "apple", "red");
    assertThat(PathTags.of(root, root.resolve("x.png"))).isEmpty();
    assertThat(PathTags.titleWords("Macchina fotografica di 01.PNG")).containsExactly("macchina", "fotografica");
  }
}
