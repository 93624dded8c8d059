-- Build and push, single Dockerfile builds, and what a build wrote (for the build history).
ALTER TYPE "DeploymentAction" ADD VALUE 'BUILD_PUSH';
ALTER TYPE "DeploymentAction" ADD VALUE 'BUILD_FILE';

ALTER TABLE "Deployment" ADD COLUMN "builtImages" JSONB;
