package io.holdfast.spring.boot;

import io.holdfast.testkit.JvmProcess;
import java.time.Duration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Configuration;

/**
 * A Spring Boot application in a JVM of its own, registered in a group, for {@code kill -9} tests:
 * its arguments are Spring properties ({@code --name=value}).
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class RegisteredChild {
  public static void main(String[] args) {
    new SpringApplicationBuilder(RegisteredChild.class)
        .web(WebApplicationType.NONE)
        .logStartupInfo(false)
        .run(args);
    JvmProcess.readyAndWait(Duration.ofMinutes(2));
  }
}
