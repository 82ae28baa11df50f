-- AlterTable
ALTER TABLE "ChatBot" ADD COLUMN     "deployCheckStreak" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "deployFailingSince" TIMESTAMP(3);


