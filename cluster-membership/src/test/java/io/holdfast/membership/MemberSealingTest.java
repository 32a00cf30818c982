package io.holdfast.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.membership.internal.Members;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Member and MemberInfo offer users nothing that only backends need. */
class MemberSealingTest {
  @Test
  void member_hasNoPublicConstructor_backendsUseTheInternalFactory() {
    assertThat(Member.class.getConstructors()).isEmpty();
    Member m = Members.create(MemberInfo.builder("g").id("a").build(), Instant.EPOCH, 3);
    assertThat(m.leaderEpoch()).isEqualTo(3);
  }

  @Test
  void memberInfo_hasNoPublicCheckMetadata() {
    assertThat(
            Arrays.stream(MemberInfo.class.getMethods())
                .filter(m -> Modifier.isStatic(m.getModifiers()))
                .map(Method::getName))
        .doesNotContain("checkMetadata");
  }
}
