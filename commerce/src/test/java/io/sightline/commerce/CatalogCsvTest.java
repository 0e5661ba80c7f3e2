package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.InputFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules of {@code catalog.csv}: the five fixed columns, optional attribute columns, the
 * additional images column, the per-row problems (each with its line) and the attribute encoding.
 */
class CatalogCsvTest {
  @TempDir
  Path dir;

  CatalogCsv.Parsed read(String text) throws Exception {
    return CatalogCsv.read(Files.writeString(dir.resolve("catalog.csv"), text), null);
  }

  @Test
  void rowsBecomeEntriesWithTheirLineAttributesAndImagesResolvedBesideTheFile() throws Exception {
    CatalogCsv.Parsed p = read("id,image,category,title,link,Price,brand\n"
        + "a,img/a.png,cup,Mug,https://x/a,9.50,\n"
        + "b,b.png,toy\n");
    assertThat(p.problems()).isEmpty();
    assertThat(p.entries()).hasSize(2);
    CatalogEntry a = p.entries().get(0);
    assertThat(a.id()).isEqualTo("a");
    assertThat(a.image()).isEqualTo(dir.resolve("img/a.png").toAbsolutePath().normalize());
    assertThat(a.category()).isEqualTo("cup");
    assertThat(a.title()).isEqualTo("Mug");
    assertThat(a.link()).isEqualTo("https://x/a");
    assertThat(a.line()).isEqualTo(2);
    // header names are lower-cased; an empty value is no attribute
    assertThat(a.attributes()).containsExactly(Map.entry("price", "9.50"));
    CatalogEntry b = p.entries().get(1);
    assertThat(b.title()).isEmpty();
    assertThat(b.link()).isEmpty();
    assertThat(b.line()).isEqualTo(3);
    assertThat(p.ids()).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void badRowsAreReportedWithTheirLineAndTheRestIsRead() throws Exception {
    CatalogCsv.Parsed p = read("id,image,category,title,link,price\n"
        + "short,x.png\n"
        + "long,x.png,cup,t,l,1,extra\n"
        + "noimage,,cup\n"
        + "escape,../../etc/passwd.png,cup\n"
        + "ok,ok.png,cup,t,l,2\n"
        + ",y.png\n");
    assertThat(p.entries()).extracting(CatalogEntry::id).containsExactly("ok");
    assertThat(p.problems()).extracting(RowProblem::line).containsExactly(2L, 3L, 4L, 5L, 7L);
    assertThat(p.problems()).extracting(RowProblem::id).containsExactly("short", "long", "noimage", "escape", "");
    assertThat(p.problems().get(0).message()).contains("but got 2 field(s)");
    assertThat(p.problems().get(1).message()).contains("row has 7 fields but the header 6");
    assertThat(p.problems().get(2).message()).contains("image is empty");
    assertThat(p.problems().get(3).message()).contains("escapes");
    // every id the file names counts, bad rows included; an empty id does not
    assertThat(p.ids()).containsExactlyInAnyOrder("short", "long", "noimage", "escape", "ok");
  }

  @Test
  void exactlyThreeFieldsAndExactlyAsManyAsTheHeaderAreAccepted() throws Exception {
    CatalogCsv.Parsed p = read("id,image,category,title,link,price\n"
        + "three,x.png,cup\n"
        + "six,x.png,cup,t,l,3\n");
    assertThat(p.problems()).isEmpty();
    assertThat(p.entries()).extracting(CatalogEntry::id).containsExactly("three", "six");
    assertThat(p.entries().get(1).attributes()).containsEntry("price", "3");
  }

  @Test
  void rowsMayStopBeforeTheOptionalColumns() throws Exception {
    CatalogCsv.Parsed p = read("id,image,category,title,link,price,brand\n"
        + "four,x.png,cup,Title\n"
        + "five,x.png,cup,t,l\n"
        + "six,x.png,cup,t,l,7\n");
    assertThat(p.problems()).isEmpty();
    assertThat(p.entries()).extracting(CatalogEntry::id).containsExactly("four", "five", "six");
    assertThat(p.entries().get(0).title()).isEqualTo("Title");
    assertThat(p.entries().get(0).link()).isEmpty();
    assertThat(p.entries().get(1).attributes()).isEmpty();
    assertThat(p.entries().get(2).attributes()).containsExactly(Map.entry("price", "7"));
  }

  @Test
  void additionalImagesAreSplitOnBarsUpToTheLimit() throws Exception {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= CatalogEntry.MAX_ADDITIONAL_IMAGES; i++) {
      many.append("m").append(i).append(".png|");
    }
    CatalogCsv.Parsed p = read("id,image,category,title,link,additional_images\n"
        + "a,a.png,cup,t,l, b.png | | c.png \n"
        + "z,z.png,cup,t,l," + many + "\n"
        + "e,e.png,cup,t,l,ok.png|../../out.png\n");
    CatalogEntry a = p.entries().get(0);
    assertThat(a.additionalImages()).containsExactly(dir.resolve("b.png").toAbsolutePath().normalize(),
        dir.resolve("c.png").toAbsolutePath().normalize());
    assertThat(a.attributes()).as("the images column is no attribute").isEmpty();
    assertThat(p.entries()).hasSize(1);
    assertThat(p.problems()).extracting(RowProblem::id).containsExactly("z", "e");
    assertThat(p.problems().get(0).message()).isEqualTo("more than " + CatalogEntry.MAX_ADDITIONAL_IMAGES
        + " additional images");
    assertThat(p.problems().get(1).message()).startsWith("additional image: ");
    // exactly the limit is fine
    StringBuilder limit = new StringBuilder();
    for (int i = 0; i < CatalogEntry.MAX_ADDITIONAL_IMAGES; i++) {
      limit.append("m").append(i).append(".png|");
    }
    CatalogCsv.Parsed atLimit = read("id,image,category,title,link,additional_images\nz,z.png,cup,t,l," + limit + "\n");
    assertThat(atLimit.problems()).isEmpty();
    assertThat(atLimit.entries().get(0).additionalImages()).hasSize(CatalogEntry.MAX_ADDITIONAL_IMAGES);
  }

  @Test
  void badAttributeColumnNamesFailTheWholeFile() throws Exception {
    assertThatThrownBy(() -> read("id,image,category,title,link,pri ce\n"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("attribute column 6 'pri ce'");
    assertThatThrownBy(() -> read("id,image,category,title,link,Size,size\n"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("column 'size' appears twice");
    assertThatThrownBy(() -> read("id,image,category,title,link,title\n"))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("appears twice");
  }

  @Test
  void attributesEncodeSortedAndUrlEncodedAndDecodeBack() {
    Map<String, String> attrs = new LinkedHashMap<>();
    attrs.put("size", "M");
    attrs.put("brand", "A&B = C");
    String text = CatalogCsv.encode(attrs);
    assertThat(text).isEqualTo("brand=A%26B+%3D+C&size=M");
    assertThat(CatalogCsv.decode(text)).containsExactly(Map.entry("brand", "A&B = C"), Map.entry("size", "M"));
    assertThat(CatalogCsv.encode(Map.of())).isEmpty();
    assertThat(CatalogCsv.decode("")).isEmpty();
    assertThat(CatalogCsv.decode(null)).isEmpty();
    assertThat(CatalogCsv.decode("k=")).containsExactly(Map.entry("k", ""));
  }

  @Test
  void attributeNamesAndTheEncodedLengthAreValidated(@TempDir Path d) {
    Path img = d.resolve("x.png");
    assertThat(CatalogCsv.validateAttributes(entry(img, Map.of("price", "1")))).isNull();
    assertThat(CatalogCsv.validateAttributes(entry(img, Map.of("category", "x")))).contains("'category'");
    assertThat(CatalogCsv.validateAttributes(entry(img, Map.of("a b", "x")))).contains("'a b' is not allowed");
    // "k=" plus the value: exactly the limit passes, one more character fails
    String atLimit = "v".repeat(CatalogCsv.MAX_ATTRIBUTES_LENGTH - 2);
    assertThat(CatalogCsv.validateAttributes(entry(img, Map.of("k", atLimit)))).isNull();
    assertThat(CatalogCsv.validateAttributes(entry(img, Map.of("k", atLimit + "v"))))
        .isEqualTo("attributes are " + (CatalogCsv.MAX_ATTRIBUTES_LENGTH + 1)
            + " characters encoded, over the limit of " + CatalogCsv.MAX_ATTRIBUTES_LENGTH);
  }

  static CatalogEntry entry(Path img, Map<String, String> attrs) {
    return new CatalogEntry("id", img, "cup", "t", "", 0, attrs, List.of());
  }
}
