# cdflogin for CI jobs: the static release binary and CA certificates, nothing
# else (no shell, no package manager). The build context is laid out as
# GoReleaser's docker context is:
#
#   linux/amd64/cdflogin        the release binary of that platform
#   ca-certificates.crt         a CA bundle (Debian's ca-certificates)
#
# .ci/release.sh builds it with buildah (no daemon) from dist/ and runs
#   token -p ci
# in it against the sandbox. docs/install.md shows the docker run for CI.
FROM scratch
ARG TARGETPLATFORM
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY ${TARGETPLATFORM}/cdflogin /usr/local/bin/cdflogin
# Any user works with CDFLOGIN_HOME on a volume it owns (docs/install.md);
# without one, this unprivileged user's home holds the files.
USER 65532:65532
ENV HOME=/home/cdflogin
WORKDIR /home/cdflogin
ENTRYPOINT ["/usr/local/bin/cdflogin"]
