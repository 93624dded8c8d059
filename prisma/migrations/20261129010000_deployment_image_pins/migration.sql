-- Rollback: the images the revision ran, by digest or id, set over its files.
ALTER TABLE "Deployment" ADD COLUMN "imagePins" JSONB;
