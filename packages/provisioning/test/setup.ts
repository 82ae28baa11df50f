// aws-sdk-client-mock-vitest's matchers (toHaveReceivedCommandWith, ...) for every test file.
import "aws-sdk-client-mock-vitest/extend";
